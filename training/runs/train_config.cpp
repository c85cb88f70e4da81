// Training configuration <-> JSON: see train_config.h.
#include "training/runs/train_config.h"

#include "analysis/run_naming.h"
#include "training/runs/config_keys.h"
#include "training/runs/cuda_graph_support.h"
#include "training/runs/exit_loss_weights.h"

#include "training/runs/precision.h"
#include "training/text/task_spec.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sweet {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GradientRecorderConfig, every, layers, matrix, probe_size, dtype, probe,
                                                second_probe_size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LteConfig, enabled, schedule, weight, input, threshold_rule)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, task, data_dir, train_file, eval_file, text_column,
                                                text_b_column, label_column, labels, skip_invalid_rows, train_cap,
                                                calibration_size, eval_max_examples, demo_train_size, demo_eval_size,
                                                model, method, exit_layers, pooler, sweet_alpha, exit_loss_weights, learning_rate, batch_size, micro_batch_size,
                                                epochs,
                                                max_length, warmup_ratio, weight_decay, adam_beta1, adam_beta2,
                                                adam_eps, max_grad_norm, max_steps, seed, device, precision, threads,
                                                eval_batch_size, eval_every, checkpoint_every, output_dir, run_name, save_model, overwrite,
                                                gradients, lte, attention, pad_to_multiple_of, prefetch_batches,
                                                cuda_graphs, loss_read, eval_length_buckets)

namespace {

// The top-level checks of config_keys, and one of train's own: an empty exit_layers.
void checkKeys(const nlohmann::json& given, const ConfigSources& from) {
  checkConfigKeys(given, nlohmann::json(TrainConfig{}), from);
  if (given.contains("exit_layers") && given["exit_layers"].empty())
    throw std::runtime_error(from.of("exit_layers") + ": exit_layers must list at least one layer (leave the key out for "
                                                       "the defaults of the model's depth)");
}

// pad_to_multiple_of "auto" is stored as -1: one integer key, one meaning.
nlohmann::json withAutoPadding(nlohmann::json j) {
  if (j.is_object() && j.contains("pad_to_multiple_of") && j["pad_to_multiple_of"] == "auto") j["pad_to_multiple_of"] = -1;
  return j;
}

// fp16 needs loss scaling on a device with fp16 kernels worth having: CUDA only.
void checkPrecision(const TrainConfig& c, const ConfigSources& from) {
  Precision precision = Precision::Auto;
  try {
    precision = parsePrecision(c.precision);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(from.of("precision") + ": " + e.what());
  }
  if (precision == Precision::Fp16 && c.device.rfind("cuda", 0) != 0)
    throw std::runtime_error(from.of("precision") + ": precision fp16 runs on CUDA only (device is " + c.device +
                             "); use bf16 or fp32 on the CPU");
}

// cuda_graphs replays recorded kernels with every host-side value frozen at capture, so
// each refusal names what would have been frozen. Device and method first (a config that
// could never use graphs), the build last (the same config runs on a CUDA build).
void checkCudaGraphs(const TrainConfig& c, const ConfigSources& from) {
  if (!c.cuda_graphs) return;
  auto refuse = [&](const std::string& why) { throw std::runtime_error(from.of("cuda_graphs") + ": cuda_graphs " + why); };
  if (c.device.rfind("cuda", 0) != 0)
    refuse("needs a CUDA device (device is " + c.device + "): a graph replays recorded CUDA kernels");
  if (c.precision == "fp16")
    refuse("cannot capture precision fp16: dynamic loss scaling reads the overflow flag on the host every step to "
           "skip the update and halve the scale, which a replay cannot decide; use bf16");
  if (c.method == "pcgrad")
    refuse("cannot capture method pcgrad: its projections read each pair of exits' gradient dot product on the host "
           "and draw the exits' order on the CPU every step");
  if (c.lte.enabled && c.lte.schedule != "joint")
    refuse("cannot capture lte.schedule " + c.lte.schedule +
           ": its objective alternates between steps (and with it which parameters get a gradient); use joint");
  if (!cudaGraphsBuiltIn()) refuse("is not available: " + cudaGraphsMissing());
}

void validate(const TrainConfig& c, const ConfigSources& from) {
  auto check = [&](bool ok, const std::string& key, const std::string& what) {
    if (!ok) throw std::runtime_error(from.of(key) + ": " + key + " " + what);
  };
  check(c.task == "demo" || c.task == "custom" || glueTask(c.task).has_value(), "task",
        "must be sst2, mrpc, cola, rte, qnli, qqp, mnli, stsb, demo or custom, not " + quotedConfigValue(nlohmann::json(c.task)));
  check(c.method == "ee" || c.method == "sweet" || c.method == "mm" || c.method == "pcgrad", "method",
        "must be ee, sweet, mm or pcgrad, not " + quotedConfigValue(nlohmann::json(c.method)));
  check(c.pooler == "per_exit" || c.pooler == "shared", "pooler", "must be per_exit or shared");
  check(c.sweet_alpha >= 0 && c.sweet_alpha <= 1, "sweet_alpha", "must be within [0, 1] (1 = EE, 0 = SWEET's cut)");
  check(c.sweet_alpha == 1 || c.method == "ee", "sweet_alpha",
        "applies to method ee (sweet is the cut at 0; mm's models share nothing)");
  check(exitLossWeightsProblem(c.exit_loss_weights, c.exit_layers).empty(), "exit_loss_weights",
        exitLossWeightsProblem(c.exit_loss_weights, c.exit_layers));
  check(exitLossWeightsMethodProblem(c.method, c.exit_loss_weights).empty(), "exit_loss_weights",
        exitLossWeightsMethodProblem(c.method, c.exit_loss_weights));
  check(c.method != "pcgrad" || !c.lte.enabled, "method",
        "pcgrad cannot train learning-to-exit heads (lte.enabled): their loss has no exit of its own to project");
  check(c.learning_rate > 0 && std::isfinite(c.learning_rate), "learning_rate", "must be positive");
  check(c.batch_size > 0, "batch_size", "must be positive");
  check(c.micro_batch_size >= 0, "micro_batch_size", "must not be negative (0 = the whole batch at once)");
  check(c.eval_batch_size > 0, "eval_batch_size", "must be positive");
  check(c.epochs > 0, "epochs", "must be positive");
  check(c.max_length >= 4, "max_length", "must be at least 4");
  check(c.warmup_ratio >= 0 && c.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)");
  check(c.weight_decay >= 0 && std::isfinite(c.weight_decay), "weight_decay", "must not be negative");
  check(c.adam_beta1 >= 0 && c.adam_beta1 < 1, "adam_beta1", "must be in [0, 1)");
  check(c.adam_beta2 >= 0 && c.adam_beta2 < 1, "adam_beta2", "must be in [0, 1)");
  check(c.adam_eps > 0 && std::isfinite(c.adam_eps), "adam_eps", "must be positive");
  check(std::isfinite(c.max_grad_norm), "max_grad_norm", "must be finite (<= 0 turns clipping off)");
  check(c.max_steps >= 0, "max_steps", "must not be negative (0 = no limit)");
  checkPrecision(c, from);
  checkCudaGraphs(c, from);
  check(c.threads >= 0, "threads", "must not be negative (0 = one per core)");
  check(c.loss_read == "auto" || c.loss_read == "now" || c.loss_read == "late", "loss_read",
        "must be auto, now or late, not " + quotedConfigValue(nlohmann::json(c.loss_read)));
  check(c.eval_length_buckets == "auto" || c.eval_length_buckets == "on" || c.eval_length_buckets == "off",
        "eval_length_buckets", "must be auto, on or off, not " + quotedConfigValue(nlohmann::json(c.eval_length_buckets)));
  check(c.attention == "auto" || c.attention == "explicit" || c.attention == "sdpa", "attention",
        "must be auto, explicit or sdpa, not " + quotedConfigValue(nlohmann::json(c.attention)));
  check(c.pad_to_multiple_of >= -1 && c.pad_to_multiple_of <= 1024, "pad_to_multiple_of",
        "must be 0 (off), a multiple from 1 to 1024, or -1 / \"auto\" (8 on CUDA)");
  check(c.train_cap > 0, "train_cap", "must be positive");
  check(c.calibration_size >= 0, "calibration_size", "must not be negative");
  check(c.eval_max_examples >= 0, "eval_max_examples", "must not be negative (0 = the whole eval file)");
  check(c.demo_train_size > 0, "demo_train_size", "must be positive");
  check(c.demo_eval_size > 0, "demo_eval_size", "must be positive");
  for (size_t i = 0; i < c.exit_layers.size(); ++i)
    check(c.exit_layers[i] >= 1 && (i == 0 || c.exit_layers[i] > c.exit_layers[i - 1]), "exit_layers",
          "must be 1-based and strictly ascending");
  check(c.lte.schedule == "joint" || c.lte.schedule == "bertxit" || c.lte.schedule == "exits_then_lte" ||
            c.lte.schedule == "alternate",
        "lte.schedule", "must be joint, bertxit or exits_then_lte (alternate: the old name of exits_then_lte)");
  check(c.lte.weight > 0 && std::isfinite(c.lte.weight), "lte.weight", "must be positive");
  check(c.lte.threshold_rule == "minmax" || c.lte.threshold_rule == "raw", "lte.threshold_rule", "must be minmax or raw");
  check(c.lte.input == "pooled" || c.lte.input == "cls", "lte.input", "must be pooled or cls");
  check(c.gradients.every >= 0, "gradients.every", "must not be negative");
  // The recorder's probe loss is cross-entropy on class labels; STS-B has none.
  check(c.gradients.every == 0 || !glueTask(c.task) || !glueTask(c.task)->regression, "gradients.every",
        "must be 0 for the regression task stsb (gradient records probe a classification loss)");
  check(c.eval_every >= 0, "eval_every", "must not be negative (0 = no interim evaluations)");
  check(c.checkpoint_every >= 0, "checkpoint_every", "must not be negative (0 = checkpoints only when stopped by a signal)");
  check(c.gradients.probe == "fixed" || c.gradients.probe == "train_batch", "gradients.probe", "must be fixed or train_batch");
  check(c.gradients.second_probe_size >= 0, "gradients.second_probe_size", "must not be negative");
  check(c.gradients.dtype == "float32" || c.gradients.dtype == "float16", "gradients.dtype", "must be float32 or float16");
  check(c.gradients.every == 0 || c.gradients.probe_size > 0, "gradients.probe_size", "must be positive");
  for (int64_t layer : c.gradients.layers) check(layer >= 1, "gradients.layers", "must be 1-based");
  check(c.task != "custom" || (!c.text_column.empty() && !c.label_column.empty() && !c.labels.empty()), "task",
        "custom needs text_column, label_column and labels");
  // The run file, model folder, checkpoint and lock are <output_dir>/<run_name>.*: a name
  // with a separator or "..", or an absolute one, would write them elsewhere.
  check(isPlainFileName(c.run_name), "run_name",
        "must be a plain file name inside output_dir (no '/', '\\', control characters; not '.' or '..'), not " +
            quotedConfigValue(nlohmann::json(c.run_name)));
}

}  // namespace

std::string TrainConfig::resolvedRunName() const {
  return run_name.empty() ? analysis::defaultRunName(task, method, learning_rate, seed) : run_name;
}

std::string TrainConfig::runFilePath() const { return (std::filesystem::path(output_dir) / (resolvedRunName() + ".h5")).string(); }

std::string TrainConfig::checkpointPath() const {
  return (std::filesystem::path(output_dir) / (resolvedRunName() + ".resume.pt")).string();
}

TrainConfig trainConfigFromJson(const nlohmann::json& j, const std::string& source,
                                const std::vector<std::string>& overrides) {
  ConfigSources from{source, {}};
  for (const std::string& o : overrides) from.overridden.insert(o.substr(0, o.find('=')));
  checkKeys(withAutoPadding(j), from);
  TrainConfig c;
  try {
    c = withAutoPadding(j).get<TrainConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  validate(c, from);
  return c;
}

nlohmann::json trainConfigToJson(const TrainConfig& c) { return nlohmann::json(c); }

nlohmann::json readConfigFile(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  for (const auto& o : overrides) applyOverride(j, o);
  return j;
}

TrainConfig loadTrainConfig(const std::string& path) { return trainConfigFromJson(readConfigFile(path), path); }

void applyOverride(nlohmann::json& j, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw std::runtime_error("--set expects key=value, got '" + assignment + "'");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    value = text;  // bare strings need no quotes: --set task=rte
  }
  try {
    setDottedKey(j, key, std::move(value));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("--set ") + e.what());
  }
}

void setDottedKey(nlohmann::json& j, const std::string& key, nlohmann::json value) {
  nlohmann::json* node = &j;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw std::runtime_error(key + ": empty key part");
    // "max_length.x=1" would index into a number: say so rather than throw a JSON type error.
    if (!node->is_object() && !node->is_null())
      throw std::runtime_error(key + ": '" + key.substr(0, start == 0 ? 0 : start - 1) +
                               "' is not a group of keys (it holds " + node->dump().substr(0, 40) + ")");
    if (dot == std::string::npos) {
      (*node)[part] = std::move(value);
      return;
    }
    node = &(*node)[part];
    start = dot + 1;
  }
}

std::vector<std::string> configDifferences(const std::string& earlierConfig, const std::string& config,
                                           const std::string& earlier) {
  nlohmann::json a = nlohmann::json::parse(earlierConfig), b = nlohmann::json::parse(config);
  // output_dir says where the files are, not what was trained: a run file or checkpoint
  // found under this config's output_dir is this run's, also after its folder was moved.
  for (const char* neutral : {"checkpoint_every", "overwrite", "prefetch_batches", "precision", "output_dir", "loss_read"}) {
    a.erase(neutral);
    b.erase(neutral);
  }
  // Inside "lte": threshold_rule changes no training (only how scores become exits), and
  // input matters only with LTE on; a run written before input existed read the [CLS]
  // state, which is "cls", not today's default.
  for (nlohmann::json* side : {&a, &b}) {
    if (!side->contains("lte") || !(*side)["lte"].is_object()) continue;
    nlohmann::json& lte = (*side)["lte"];
    lte.erase("threshold_rule");
    if (!lte.contains("input")) lte["input"] = "cls";
    if (!lte.value("enabled", false)) lte.erase("input");
  }
  // A key one side lacks was added after that run was written: it ran with the default.
  const nlohmann::json defaults = trainConfigToJson(TrainConfig{});
  for (const auto& [key, value] : defaults.items()) {
    if (!a.contains(key) && b.contains(key) && b[key] == value) b.erase(key);
    if (!b.contains(key) && a.contains(key) && a[key] == value) a.erase(key);
  }
  std::vector<std::string> keys;
  for (const auto& [key, value] : b.items())
    if (!a.contains(key) || a[key] != value)
      keys.push_back(key + " (" + (a.contains(key) ? a[key].dump() : std::string("absent")) + " in " + earlier + ", " +
                     value.dump() + " now)");
  for (const auto& [key, value] : a.items())
    if (!b.contains(key)) keys.push_back(key + " (" + value.dump() + " in " + earlier + ", absent now)");
  return keys;
}

}  // namespace sweet
