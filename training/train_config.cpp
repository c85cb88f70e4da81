// Training configuration <-> JSON: see train_config.h.
#include "train_config.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sweet {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GradientRecorderConfig, every, layers, matrix, probe_size, dtype, probe,
                                                second_probe_size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, task, data_dir, train_file, eval_file, text_column,
                                                text_b_column, label_column, labels, skip_invalid_rows, train_cap,
                                                calibration_size, eval_max_examples, demo_train_size, demo_eval_size,
                                                model, method, exit_layers, pooler, learning_rate, batch_size, epochs,
                                                max_length, warmup_ratio, weight_decay, adam_beta1, adam_beta2,
                                                adam_eps, max_grad_norm, max_steps, seed, device, threads,
                                                eval_batch_size, eval_every, output_dir, run_name, save_model, gradients)

namespace {

void checkKeys(const nlohmann::json& given, const nlohmann::json& known, const std::string& source,
               const std::string& prefix) {
  if (!given.is_object()) throw std::runtime_error(source + ": " + (prefix.empty() ? "config" : prefix) + " must be a JSON object");
  for (const auto& [key, value] : given.items()) {
    if (!known.contains(key)) {
      std::string names;
      for (const auto& [k, v] : known.items()) names += (names.empty() ? "" : ", ") + k;
      throw std::runtime_error(source + ": unknown key '" + prefix + key + "' (known: " + names + ")");
    }
    if (known[key].is_object()) checkKeys(value, known[key], source, prefix + key + ".");
  }
}

void validate(const TrainConfig& c, const std::string& source) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(source + ": " + what); };
  if (c.method != "ee" && c.method != "sweet" && c.method != "mm") fail("method must be ee, sweet or mm, not '" + c.method + "'");
  if (c.pooler != "per_exit" && c.pooler != "shared") fail("pooler must be per_exit or shared");
  if (!(c.learning_rate > 0) || !std::isfinite(c.learning_rate)) fail("learning_rate must be positive");
  if (c.batch_size <= 0) fail("batch_size must be positive");
  if (c.epochs <= 0) fail("epochs must be positive");
  if (c.max_length < 4) fail("max_length must be at least 4");
  if (c.warmup_ratio < 0 || c.warmup_ratio >= 1) fail("warmup_ratio must be in [0, 1)");
  if (c.train_cap <= 0) fail("train_cap must be positive");
  if (c.calibration_size < 0) fail("calibration_size must not be negative");
  if (c.gradients.every < 0) fail("gradients.every must not be negative");
  if (c.eval_every < 0) fail("eval_every must not be negative");
  if (c.gradients.dtype != "float32" && c.gradients.dtype != "float16") fail("gradients.dtype must be float32 or float16");
  if (c.gradients.every > 0 && c.gradients.probe_size <= 0) fail("gradients.probe_size must be positive");
  if (c.gradients.probe != "fixed" && c.gradients.probe != "train_batch") fail("gradients.probe must be fixed or train_batch");
  if (c.gradients.second_probe_size < 0) fail("gradients.second_probe_size must not be negative");
  if (c.task == "custom" && (c.text_column.empty() || c.label_column.empty() || c.labels.empty()))
    fail("custom tasks need text_column, label_column and labels");
}

}  // namespace

std::string TrainConfig::resolvedRunName() const {
  if (!run_name.empty()) return run_name;
  std::ostringstream s;
  s << task << "-" << method << "-lr" << learning_rate << "-s" << seed;
  return s.str();
}

TrainConfig trainConfigFromJson(const nlohmann::json& j, const std::string& source) {
  checkKeys(j, nlohmann::json(TrainConfig{}), source, "");
  TrainConfig c;
  try {
    c = j.get<TrainConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  validate(c, source);
  return c;
}

nlohmann::json trainConfigToJson(const TrainConfig& c) { return nlohmann::json(c); }

TrainConfig loadTrainConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  return trainConfigFromJson(j, path);
}

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
  nlohmann::json* node = &j;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*node)[part] = value;
      break;
    }
    node = &(*node)[part];
    start = dot + 1;
  }
}

}  // namespace sweet
