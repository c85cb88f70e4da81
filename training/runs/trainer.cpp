// One fine-tuning run: see trainer.h. Read top to bottom: prepare data, build the model,
// open the run file, train (step by step), evaluate once, save.
#include "training/runs/trainer.h"

#include "training/build_info.h"

#include <torch/torch.h>

#include <unistd.h>

#include <H5Cpp.h>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>

#include "analysis/metrics.h"
#include "analysis/temperature_scaling.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/checkpoint_identity.h"
#include "training/runs/device.h"
#include "training/models/exit_model_factory.h"
#include "training/models/lte_heads.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/gradient_recorder.h"
#include "training/runs/run_examples.h"
#include "training/runs/run_file_writer.h"
#include "training/runs/training_checkpoint.h"
#include "training/text/text_dataset.h"
#include "training/tokenizers/tokenizer_files.h"

namespace sweet {
namespace fs = std::filesystem;

double learningRateAt(int64_t step, int64_t total, int64_t warmup, double peak) {
  if (warmup > 0 && step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double remaining = static_cast<double>(total - step) / static_cast<double>(std::max<int64_t>(1, total - warmup));
  return peak * std::max(0.0, remaining);
}

namespace {

// Fisher-Yates with an explicit generator: the same permutation on every platform and
// standard library (std::shuffle's algorithm is unspecified).
std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[static_cast<size_t>(i)], p[rng() % static_cast<uint64_t>(i + 1)]);
  return p;
}

struct Split {
  std::vector<Encoding> encodings;
  std::vector<int64_t> labels, source_rows;
  std::vector<float> targets;  // regression tasks: the float target of each row
};

struct PreparedData {
  TaskSpec task;
  Split train, calibration, eval;
  std::string calibration_scheme;  // held_out or cross_fit (see prepareData)
  std::vector<int64_t> eval_fold;  // cross_fit: each eval instance's fold
};

Split encodeRows(const std::vector<TextExample>& examples, const std::vector<int64_t>& rows,
                 const Tokenizer& tokenizer, int64_t maxLength) {
  Split s;
  for (int64_t r : rows) {
    const auto& ex = examples[static_cast<size_t>(r)];
    s.encodings.push_back(tokenizer.encode(ex.text_a, ex.text_b, maxLength));
    s.labels.push_back(ex.label);
    s.targets.push_back(ex.target);
    s.source_rows.push_back(r);
  }
  return s;
}

PreparedData prepareData(const TrainConfig& c, const Tokenizer& tokenizer,
                         const std::function<void(const std::string&)>& say) {
  PreparedData d;
  RunExamples examples = loadRunExamples(c, /*with_train=*/true, say);
  d.task = std::move(examples.task);
  const std::vector<TextExample>& train = examples.train;
  const std::vector<TextExample>& eval = examples.eval;
  // The seed alone decides the sample, so EE, MM and SWEET under one seed train on the same
  // examples. They train on min(n, train_cap) rows, as the paper does; temperatures are
  // fitted on rows the model never saw: calibration_size rows from beyond the cap when the
  // file has that many left over, otherwise (RTE, MRPC at the 6,000 cap) on two halves of
  // the eval set, each scored with the other's temperatures (analysis::calibrate).
  const auto n = static_cast<int64_t>(train.size());
  const auto perm = permutation(n, static_cast<uint64_t>(c.seed));
  const int64_t nTrain = std::min(c.train_cap, n);
  // Regression has no softmax confidences to temperature-scale: no calibration rows.
  const int64_t cal = !d.task.regression && c.calibration_size > 0 && n - nTrain >= c.calibration_size ? c.calibration_size : 0;
  std::vector<int64_t> trainRows(perm.begin(), perm.begin() + nTrain);
  std::vector<int64_t> calRows(perm.end() - cal, perm.end());
  std::vector<int64_t> evalRows;
  const auto nEval = static_cast<int64_t>(eval.size());
  for (int64_t i = 0; i < (c.eval_max_examples > 0 ? std::min(c.eval_max_examples, nEval) : nEval); ++i) evalRows.push_back(i);
  say("tokenizing " + std::to_string(nTrain) + " training, " + std::to_string(cal) + " calibration and " +
      std::to_string(evalRows.size()) + " eval examples");
  d.train = encodeRows(train, trainRows, tokenizer, c.max_length);
  d.calibration = encodeRows(train, calRows, tokenizer, c.max_length);
  d.eval = encodeRows(eval, evalRows, tokenizer, c.max_length);
  if (d.task.regression) return d;  // no calibration scheme: nothing to calibrate
  d.calibration_scheme = cal > 0 ? "held_out" : "cross_fit";
  if (cal == 0) d.eval_fold = analysis::crossFitFolds(d.eval.labels, static_cast<uint64_t>(c.seed));
  return d;
}

torch::Tensor longTensor(const std::vector<int64_t>& v, int64_t rows, int64_t cols, const c10::Device& device) {
  // clone(): from_blob only borrows the vector, and .to() is a no-op on the same device.
  return torch::from_blob(const_cast<int64_t*>(v.data()), {rows, cols}, torch::kLong).clone().to(device);
}

ModelInput makeInput(const Tokenizer& tokenizer, const std::vector<Encoding>& all,
                     const std::vector<int64_t>& order, size_t begin, size_t end, const c10::Device& device) {
  std::vector<Encoding> picked;
  for (size_t i = begin; i < end; ++i) picked.push_back(all[static_cast<size_t>(order[i])]);
  TokenBatch b = tokenizer.pad(picked);
  return {longTensor(b.input_ids, b.batch, b.length, device), longTensor(b.attention_mask, b.batch, b.length, device),
          longTensor(b.token_type_ids, b.batch, b.length, device)};
}

torch::Tensor labelTensor(const std::vector<int64_t>& labels, const std::vector<int64_t>& order, size_t begin,
                          size_t end, const c10::Device& device) {
  std::vector<int64_t> picked;
  for (size_t i = begin; i < end; ++i) picked.push_back(labels[static_cast<size_t>(order[i])]);
  return torch::tensor(picked, torch::kLong).to(device);
}

torch::Tensor targetTensor(const std::vector<float>& targets, const std::vector<int64_t>& order, size_t begin,
                           size_t end, const c10::Device& device) {
  std::vector<float> picked;
  for (size_t i = begin; i < end; ++i) picked.push_back(targets[static_cast<size_t>(order[i])]);
  return torch::tensor(picked, torch::kFloat).to(device);
}

// One exit's training loss: cross-entropy on class ids, or for regression (logits [n, 1])
// the mean squared error against the float targets, as HF's num_labels = 1 heads do.
torch::Tensor exitLoss(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& targets,
                       bool regression) {
  if (regression) return torch::nn::functional::mse_loss(logits.squeeze(-1), targets);
  return torch::nn::functional::cross_entropy(logits, labels);
}

// One forward pass over a split: logits of every exit, row-major [E, N, K]; with `lte`,
// also every exit's learning-to-exit score into *lteScores, row-major [E, N].
std::vector<float> exitLogits(ExitClassifier& model, const Tokenizer& tokenizer, const Split& split,
                              int64_t batchSize, int64_t K, const c10::Device& device, LteHeadsImpl* lte = nullptr,
                              std::vector<float>* lteScores = nullptr) {
  const auto E = static_cast<int64_t>(model.exitLayers().size());
  const auto N = static_cast<int64_t>(split.encodings.size());
  std::vector<float> out(static_cast<size_t>(E * N * K));
  if (lte) lteScores->assign(static_cast<size_t>(E * N), 0.0f);
  if (N == 0) return out;
  std::vector<torch::Tensor> exitHidden(static_cast<size_t>(E));
  auto listening = model.exit_hidden_observer;
  if (lte) model.exit_hidden_observer = [&](int64_t e, const torch::Tensor& h) { exitHidden[static_cast<size_t>(e)] = h; };
  std::vector<int64_t> order(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) order[static_cast<size_t>(i)] = i;
  torch::NoGradGuard no_grad;
  const bool wasTraining = model.is_training();
  model.eval();
  for (int64_t start = 0; start < N; start += batchSize) {
    const int64_t end = std::min(N, start + batchSize);
    auto logits = model.forwardExits(makeInput(tokenizer, split.encodings, order, static_cast<size_t>(start),
                                               static_cast<size_t>(end), device));
    for (int64_t e = 0; e < E; ++e) {
      auto l = logits[static_cast<size_t>(e)].to(torch::kCPU, torch::kFloat).contiguous();  // [b, K]
      std::memcpy(out.data() + (e * N + start) * K, l.data_ptr<float>(), static_cast<size_t>((end - start) * K) * sizeof(float));
      if (lte) {
        auto u = lte->score(e, exitHidden[static_cast<size_t>(e)]).to(torch::kCPU, torch::kFloat).contiguous();  // [b]
        std::memcpy(lteScores->data() + e * N + start, u.data_ptr<float>(), static_cast<size_t>(end - start) * sizeof(float));
      }
    }
  }
  model.exit_hidden_observer = listening;
  if (wasTraining) model.train();
  return out;
}

std::string environmentJson(const c10::Device& device, int threads) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  char when[32];
  std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return nlohmann::json{{"sweet_version", sweetVersion()},
                        {"git_commit", sweetGitCommit()},
                        {"libtorch_version", libtorchVersion()},
                        {"hdf5_version", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release)},
                        {"device", device.str()},
                        {"threads", threads},
                        {"hostname", host},
                        {"pid", static_cast<int64_t>(getpid())},
                        {"started_at", when}}
      .dump();
}

std::vector<double> exitScores(const std::vector<float>& logits, const Split& split, int64_t E, int64_t K,
                               const std::string& metric) {
  const std::vector<int64_t>& labels = split.labels;
  std::vector<double> scores;
  if (metric == "pearson") {  // regression: K = 1, one prediction per exit and instance
    const std::vector<double> truth(split.targets.begin(), split.targets.end());
    const auto N = static_cast<int64_t>(truth.size());
    for (int64_t e = 0; e < E; ++e)
      scores.push_back(analysis::pearson(std::vector<double>(logits.begin() + e * N, logits.begin() + (e + 1) * N), truth));
    return scores;
  }
  const auto N = static_cast<int64_t>(labels.size());
  for (int64_t e = 0; e < E; ++e) {
    analysis::ConfusionMatrix cm(K);
    for (int64_t i = 0; i < N; ++i) {
      const float* row = logits.data() + (e * N + i) * K;
      cm.add(labels[static_cast<size_t>(i)], std::max_element(row, row + K) - row);
    }
    scores.push_back(cm.score(analysis::metricFromName(metric)));
  }
  return scores;
}

// Everything a run's inputs must satisfy before its first step, named by key: a value that
// fails here would otherwise fail after the training time is spent, often as a libtorch
// backtrace.
void checkAgainstCheckpoint(const TrainConfig& c, const BertCheckpoint& ck, const Tokenizer& tokenizer,
                            const std::vector<int64_t>& exitLayers) {
  if (c.max_length > ck.config.max_position_embeddings)
    throw std::runtime_error("max_length " + std::to_string(c.max_length) + " exceeds the checkpoint's max_position_embeddings (" +
                             std::to_string(ck.config.max_position_embeddings) + ", " + ck.dir + "/config.json)");
  if (tokenizer.vocabSize() > ck.config.vocab_size)
    throw std::runtime_error(tokenizer.source() + ": " + std::to_string(tokenizer.vocabSize()) +
                             " tokens, more than the checkpoint's vocab_size (" + std::to_string(ck.config.vocab_size) +
                             "): ids beyond it have no embedding");
  for (size_t i = 0; i < exitLayers.size(); ++i)
    if (exitLayers[i] < 1 || exitLayers[i] > ck.config.num_hidden_layers || (i > 0 && exitLayers[i] <= exitLayers[i - 1]))
      throw std::runtime_error("exit_layers " + nlohmann::json(exitLayers).dump() + " must ascend strictly within 1.." +
                               std::to_string(ck.config.num_hidden_layers) + " (the checkpoint's num_hidden_layers)");
}

void checkDataPaths(const TrainConfig& c) {
  if (c.task == "demo") return;
  if (!c.data_dir.empty() && !fs::is_directory(c.data_dir))
    throw std::runtime_error("data_dir '" + c.data_dir + "': no such folder");
  if (c.data_dir.empty() && (c.train_file.empty() || c.eval_file.empty()))
    throw std::runtime_error("no data: set data_dir to the task's folder (or train_file and eval_file)");
}

// A run never replaces the results of an earlier one unless asked to (`overwrite`).
void checkOutputsFree(const TrainConfig& c, const std::string& runFile, const std::string& modelDir) {
  if (c.overwrite) return;
  for (const std::string& path : {runFile, modelDir})
    if (fs::exists(path))
      throw std::runtime_error(path + " already exists: a run with this run_name was trained before; set a new "
                               "run_name or output_dir, or pass --overwrite to replace it");
}

// Writes the model beside its final place and renames it into place, so the folder is
// either absent or complete whatever moment the process dies.
void saveModelAtomically(ExitClassifier& model, LteHeadsImpl* lte, const BertCheckpoint& ck,
                         const std::vector<std::string>& labelNames, bool sharedPooler, const std::string& dir) {
  const std::string partial = dir + ".partial";
  fs::remove_all(partial);
  saveExitClassifier(model, ck.config, labelNames, sharedPooler, partial, ck.tokenizer);
  if (lte) saveLteHeads(*lte, (fs::path(partial) / kLteWeightsFile).string());
  if (fs::exists(dir)) {
    const std::string old = dir + ".old";
    fs::remove_all(old);
    fs::rename(dir, old);
    fs::rename(partial, dir);
    fs::remove_all(old);
  } else {
    fs::rename(partial, dir);
  }
}

// The configuration a checkpoint is matched on, with the run name resolved: a name set
// explicitly equal to the derived one is the same run.
std::string checkpointConfigJson(const TrainConfig& c) {
  nlohmann::json j = trainConfigToJson(c);
  j["run_name"] = c.resolvedRunName();
  return j.dump();
}

// The generator a run's dropout draws from on its device (CPU: the CPU generator itself).
at::Generator deviceGenerator(const c10::Device& device) { return at::globalContext().defaultGenerator(device); }

// The checkpoint beside the run file, when the policy says to continue from it; a config
// that differs from the checkpoint's is refused, naming the keys, rather than resumed
// into a run that matches neither configuration.
std::optional<TrainingCheckpoint> checkpointToResume(const TrainConfig& c, ResumePolicy policy,
                                                     const std::function<void(const std::string&)>& say) {
  const std::string path = c.checkpointPath();
  const bool present = std::filesystem::exists(path);
  if (policy == ResumePolicy::Never || (!present && policy == ResumePolicy::IfPresent)) return std::nullopt;
  if (!present)
    throw std::runtime_error("--resume: no checkpoint at " + path + " (a run writes one every checkpoint_every steps and "
                             "when stopped by a signal)");
  TrainingCheckpoint checkpoint = loadTrainingCheckpoint(path);
  const auto differences = configDifferences(checkpoint.config_json, checkpointConfigJson(c));
  if (!differences.empty()) {
    std::string list;
    for (const auto& d : differences) list += (list.empty() ? "" : "; ") + d;
    throw std::runtime_error(path + ": this checkpoint belongs to a run with a different configuration: " + list +
                             ". Resume with the checkpoint's configuration, or pass --overwrite to start over");
  }
  if (!std::filesystem::exists(c.runFilePath()))
    throw std::runtime_error(path + ": its run file " + c.runFilePath() +
                             " is gone, so the steps before the checkpoint are lost; pass --overwrite to start over");
  say("resuming from " + path + " at step " + std::to_string(checkpoint.step));
  return checkpoint;
}

// libtorch's messages carry a C++ backtrace the user cannot act on.
std::string messageOf(const std::exception& e) {
  if (const auto* torchError = dynamic_cast<const c10::Error*>(&e)) return torchError->what_without_backtrace();
  return e.what();
}

}  // namespace

namespace {

TrainResult train(const TrainConfig& c, const TrainCallbacks& cb, ResumePolicy resumePolicy) {
  auto say = [&](const std::string& m) {
    if (cb.on_message) cb.on_message(m);
  };
  const int threads = configureThreads(static_cast<int>(c.threads));
  const c10::Device device = parseDevice(c.device);

  // ---- Data and tokenizer -------------------------------------------------------------
  if (c.model.empty()) throw std::runtime_error("no model: set \"model\" to a checkpoint folder");
  BertCheckpoint ck = openBertCheckpoint(c.model);
  if (!ck.tokenizer)
    throw std::runtime_error(c.model + ": no tokenizer files in the checkpoint folder (vocab.txt, vocab.json + "
                                       "merges.txt, or spm.model)");
  const std::unique_ptr<Tokenizer> tokenizerOwner = loadTokenizer(*ck.tokenizer);
  const Tokenizer& tokenizer = *tokenizerOwner;
  const std::vector<int64_t> exitLayers = c.exit_layers.empty() ? defaultExitLayers(ck.config.num_hidden_layers) : c.exit_layers;
  checkAgainstCheckpoint(c, ck, tokenizer, exitLayers);
  const std::string runName = c.resolvedRunName();
  const std::string runFile = c.runFilePath();
  const std::string modelDir = (fs::path(c.output_dir) / (runName + ".model")).string();
  const std::string checkpointFile = c.checkpointPath();
  std::optional<TrainingCheckpoint> resume = checkpointToResume(c, resumePolicy, say);
  if (!resume) {
    checkOutputsFree(c, runFile, modelDir);
    fs::remove(checkpointFile);  // a fresh run: an old checkpoint of this name is stale
  }
  checkDataPaths(c);
  PreparedData data = prepareData(c, tokenizer, say);
  const bool regression = data.task.regression;
  const auto K = regression ? int64_t{1} : static_cast<int64_t>(data.task.label_names.size());
  if (data.train.encodings.empty()) throw std::runtime_error("the training set is empty (no rows to train on)");
  if (data.eval.encodings.empty())
    throw std::runtime_error("the evaluation set is empty: there would be no score to report (eval_file, eval_max_examples)");

  // ---- Model --------------------------------------------------------------------------
  torch::manual_seed(static_cast<uint64_t>(c.seed));  // before any module is built: reproducible heads
  auto model = buildExitClassifier(ck, c.method, exitLayers, K, c.pooler == "shared");
  model->to(device);
  model->train();
  const auto E = static_cast<int64_t>(exitLayers.size());
  // Learning-to-exit heads beside the exits (BERxiT): they listen to each exit's hidden
  // state during the forward pass, so they share its gradient routing.
  LteHeads lte{nullptr};
  std::vector<torch::Tensor> exitHidden(static_cast<size_t>(E));
  if (c.lte.enabled) {
    lte = LteHeads(ck.config.hidden_size, E);
    lte->to(device);
    lte->train();
    model->exit_hidden_observer = [&exitHidden](int64_t e, const torch::Tensor& h) { exitHidden[static_cast<size_t>(e)] = h; };
  }

  // Decoupled weight decay, not applied to biases and LayerNorm weights (as in HF's recipe).
  std::vector<torch::Tensor> decay, noDecay;
  for (const auto& p : model->named_parameters()) {
    const std::string& name = p.key();
    const bool exempt = name.find("bias") != std::string::npos || name.find("LayerNorm") != std::string::npos;
    (exempt ? noDecay : decay).push_back(p.value());
  }
  if (lte)
    for (const auto& p : lte->named_parameters()) (p.key().find("bias") != std::string::npos ? noDecay : decay).push_back(p.value());
  FusedAdamW optimizer({{decay, c.weight_decay}, {noDecay, 0.0}},
                       AdamWHyper{c.learning_rate, c.adam_beta1, c.adam_beta2, c.adam_eps, c.weight_decay});

  const auto nTrain = static_cast<int64_t>(data.train.encodings.size());
  const int64_t stepsPerEpoch = (nTrain + c.batch_size - 1) / c.batch_size;
  int64_t totalSteps = stepsPerEpoch * c.epochs;
  if (c.max_steps > 0) totalSteps = std::min(totalSteps, c.max_steps);
  const auto warmup = static_cast<int64_t>(std::llround(c.warmup_ratio * static_cast<double>(totalSteps)));

  // ---- Gradient recorder (probe batch: held-out calibration rows, else eval rows) ------
  std::unique_ptr<GradientRecorder> recorder;
  std::optional<std::pair<ModelInput, torch::Tensor>> secondProbe;  // Fig. 9: a second fixed batch
  if (c.gradients.every > 0) {
    const Split& probeSource = data.calibration.encodings.empty() ? data.eval : data.calibration;
    const auto P = std::min<int64_t>(c.gradients.probe_size, static_cast<int64_t>(probeSource.encodings.size()));
    std::vector<int64_t> order(static_cast<size_t>(P));
    for (int64_t i = 0; i < P; ++i) order[static_cast<size_t>(i)] = i;
    recorder = std::make_unique<GradientRecorder>(
        *model, c.gradients, makeInput(tokenizer, probeSource.encodings, order, 0, static_cast<size_t>(P), device),
        labelTensor(probeSource.labels, order, 0, static_cast<size_t>(P), device));
    if (c.gradients.second_probe_size > 0) {  // the rows after the first probe's
      const auto end = std::min<int64_t>(P + c.gradients.second_probe_size, static_cast<int64_t>(probeSource.encodings.size()));
      if (end <= P) throw std::runtime_error("gradients.second_probe_size: no held-out or eval rows left after the first probe");
      for (int64_t i = P; i < end; ++i) order.push_back(i);
      secondProbe.emplace(makeInput(tokenizer, probeSource.encodings, order, static_cast<size_t>(P), static_cast<size_t>(end), device),
                          labelTensor(probeSource.labels, order, static_cast<size_t>(P), static_cast<size_t>(end), device));
    }
  }
  const bool trainBatchProbe = recorder && c.gradients.probe == "train_batch";

  // ---- Resume: weights, optimiser, generators, position --------------------------------
  int64_t step = 0;
  std::optional<int64_t> pendingRecord;  // see the training loop
  if (resume) {
    torch::NoGradGuard noGrad;
    int64_t restored = 0;
    auto restore = [&](const std::string& name, torch::Tensor& target) {
      auto it = resume->model.find(name);
      if (it == resume->model.end() || !it->second.sizes().equals(target.sizes()))
        throw std::runtime_error(checkpointFile + ": no tensor '" + name + "' of this model's shape; it was written for another model");
      target.copy_(it->second);
      ++restored;
    };
    for (auto& p : model->named_parameters()) restore(p.key(), p.value());
    for (auto& b : model->named_buffers()) restore(b.key(), b.value());
    if (lte)  // keys lte.N.*: no model key starts so
      for (auto& p : lte->named_parameters()) restore(p.key(), p.value());
    if (restored != static_cast<int64_t>(resume->model.size()))
      throw std::runtime_error(checkpointFile + ": holds tensors this model does not have; it was written for another model");
    optimizer.restore(resume->moments, resume->optimizer_steps);
    at::Generator(at::detail::getDefaultCPUGenerator()).set_state(resume->cpu_rng);  // a handle on the shared generator
    if (!device.is_cpu() && resume->device_rng.defined()) deviceGenerator(device).set_state(resume->device_rng);
    step = resume->step;
    if (resume->pending_record >= 0) pendingRecord = resume->pending_record;
    if (resume->threads != threads)  // threads = 0 on a node with another core count
      say("warning: the checkpoint's run used " + std::to_string(resume->threads) + " CPU threads, this one " +
          std::to_string(threads) + ": the numbers will differ from an uninterrupted run in the last bits; set "
          "threads to a fixed count for bit-exact resumes");
    // Copied into the model and optimiser: the checkpoint's tensors (three models' worth
    // of memory) need not live on through the run.
    resume->model.clear();
    resume->moments.clear();
  }
  // Everything the next step depends on, written atomically beside the run file.
  int64_t checkpointedStep = resume ? step : -1;
  auto writeCheckpoint = [&] {
    if (step == checkpointedStep || step == 0) return;
    TrainingCheckpoint checkpoint;
    checkpoint.config_json = checkpointConfigJson(c);
    checkpoint.step = step;
    checkpoint.pending_record = pendingRecord ? *pendingRecord : -1;
    checkpoint.optimizer_steps = optimizer.steps();
    checkpoint.threads = threads;
    for (const auto& p : model->named_parameters()) checkpoint.model[p.key()] = p.value().detach();
    for (const auto& b : model->named_buffers()) checkpoint.model[b.key()] = b.value().detach();
    if (lte)
      for (const auto& p : lte->named_parameters()) checkpoint.model[p.key()] = p.value().detach();
    checkpoint.moments = optimizer.momentTensors();
    checkpoint.cpu_rng = at::detail::getDefaultCPUGenerator().get_state();
    if (!device.is_cpu()) checkpoint.device_rng = deviceGenerator(device).get_state();
    saveTrainingCheckpoint(checkpoint, checkpointFile);
    checkpointedStep = step;
  };

  // ---- Run file -----------------------------------------------------------------------
  std::error_code ec;
  fs::create_directories(c.output_dir, ec);
  if (ec) throw std::runtime_error(c.output_dir + ": cannot create output folder: " + ec.message());
  TrainResult result;
  result.run_file = runFile;
  result.metric = data.task.metric;
  result.exit_layers = exitLayers;
  RunFileLayout layout;
  layout.config_json = trainConfigToJson(c).dump();
  layout.environment_json = environmentJson(device, threads);
  if (resume) {  // the environment of the process writing now; where it took over
    auto environment = nlohmann::json::parse(layout.environment_json);
    environment["resumed_at_step"] = resume->step;
    layout.environment_json = environment.dump();
  }
  layout.method = c.method;
  layout.task = data.task.name;
  layout.metric = data.task.metric;
  layout.run_name = runName;
  layout.label_names = data.task.label_names;
  layout.exit_layers = exitLayers;
  layout.num_layers = ck.config.num_hidden_layers;  // L_M of the backbone, whatever the exits
  layout.calibration_scheme = data.calibration_scheme;
  layout.eval_fold = data.eval_fold;
  layout.model_identity_json = checkpointIdentity(ck.dir.empty() ? c.model : ck.dir, ck.weights_file).dump();
  layout.seed = c.seed;
  layout.learning_rate = c.learning_rate;
  layout.total_steps = totalSteps;
  layout.train_indices = data.train.source_rows;
  layout.calibration_indices = data.calibration.source_rows;
  layout.eval_labels = data.eval.labels;
  layout.calibration_labels = data.calibration.labels;
  layout.lte = c.lte.enabled;
  if (regression) {
    layout.regression = true;
    layout.eval_targets = data.eval.targets;
    layout.calibration_targets = data.calibration.targets;
  }
  if (recorder) {
    layout.record_gradients = true;
    layout.gradient_layers = recorder->layers();
    layout.gradient_matrix = c.gradients.matrix;
    layout.gradient_dtype = c.gradients.dtype;
    layout.gradient_rows = recorder->rows();
    layout.gradient_cols = recorder->cols();
    layout.probe_size = c.gradients.probe_size;
    layout.gradient_probe = c.gradients.probe;
    layout.second_probe_size = secondProbe ? secondProbe->second.size(0) : 0;
  }
  std::unique_ptr<RunFileWriter> writerOwner =
      resume ? std::make_unique<RunFileWriter>(result.run_file, layout, resume->step, resume->pending_record)
             : std::make_unique<RunFileWriter>(result.run_file, layout);
  RunFileWriter& writer = *writerOwner;
  if (cb.on_run_file) cb.on_run_file(result.run_file, exitLayers);
  say("run file " + result.run_file + ": " + std::to_string(totalSteps) + " steps of " + std::to_string(c.batch_size) +
      " on " + std::to_string(nTrain) + " examples, exits " + nlohmann::json(exitLayers).dump() + ", " + c.method);

  // From here on the run file exists: whatever goes wrong is written into it as "failed",
  // with the reason, before the error travels on.
  try {
    // batch: the training batch of a train_batch record (dropout on), else the fixed probe.
    auto recordGradients = [&](int64_t step, const ModelInput* batch, const torch::Tensor* labels) {
      GradientRecord r = batch ? recorder->recordOn(step, *batch, *labels, true) : recorder->record(step);
      GradientRecord second;
      if (secondProbe) second = recorder->recordOn(step, secondProbe->first, secondProbe->second, false);
      writer.appendGradientRecord(step, r.raw, r.norms, r.cosines, second.norms, second.cosines);
      if (cb.on_gradients) cb.on_gradients({step, recorder->layers(), r.exits, r.cosines});
    };

    // ---- Training loop ------------------------------------------------------------------
    const auto started = std::chrono::steady_clock::now();
    const int64_t firstStep = step;  // > 0 when resumed: speed and ETA count this process's steps
    RunState state = RunState::Finished;
    // A train_batch record due after step s is taken on the batch of step s + 1, before the
    // model trains on it: a fresh batch, with the weights of step s (pendingRecord).
    // Each epoch's order is a pure function of seed and epoch, so a resumed run finds its
    // place from the step count alone.
    const int64_t firstEpoch = step / stepsPerEpoch;
    for (int64_t epoch = firstEpoch; epoch < c.epochs && step < totalSteps && state == RunState::Finished; ++epoch) {
      const auto order = permutation(nTrain, static_cast<uint64_t>(c.seed) * 1000003ULL + static_cast<uint64_t>(epoch));
      for (int64_t b = epoch == firstEpoch ? step % stepsPerEpoch : 0; b < stepsPerEpoch && step < totalSteps; ++b) {
        if (cb.stop_requested && cb.stop_requested->load()) {
          state = RunState::Stopped;
          break;
        }
        const auto begin = static_cast<size_t>(b * c.batch_size);
        const auto end = static_cast<size_t>(std::min(nTrain, (b + 1) * c.batch_size));
        ModelInput input = makeInput(tokenizer, data.train.encodings, order, begin, end, device);
        torch::Tensor labels = labelTensor(data.train.labels, order, begin, end, device);  // [B]
        torch::Tensor targets = regression ? targetTensor(data.train.targets, order, begin, end, device) : torch::Tensor();
        if (pendingRecord) {
          recordGradients(*pendingRecord, &input, &labels);
          pendingRecord.reset();
        }

        const double lr = learningRateAt(step, totalSteps, warmup, c.learning_rate);
        optimizer.setLearningRate(lr);

        // EE / SWEET / MM minimise the sum of every exit's mean loss over the batch. With
        // micro_batch_size the batch runs in parts whose gradients add up to the same
        // update (each part's loss weighted by its share of the rows): activation memory
        // of one part, at the cost of smaller GEMMs.
        optimizer.zeroGrad();
        const int64_t rows = input.input_ids.size(0);
        const int64_t part = c.micro_batch_size > 0 ? std::min(c.micro_batch_size, rows) : rows;
        torch::Tensor stacked;     // [E] per-exit mean loss over the batch, detached
        torch::Tensor lteStacked;  // [E] per-exit LTE loss, detached (LTE runs only)
        // "alternate": even steps train the exits, odd steps the LTE heads (BERxiT).
        const bool exitTurn = !lte || c.lte.schedule == "joint" || step % 2 == 0;
        const bool lteTurn = lte && (c.lte.schedule == "joint" || step % 2 == 1);
        for (int64_t first = 0; first < rows; first += part) {
          const int64_t n = std::min(part, rows - first);
          ModelInput piece{input.input_ids.narrow(0, first, n), input.attention_mask.narrow(0, first, n),
                           input.token_type_ids.narrow(0, first, n)};
          std::vector<torch::Tensor> logits = model->forwardExits(piece);  // E x [n, K]
          std::vector<torch::Tensor> losses;
          for (const auto& l : logits)
            losses.push_back(exitLoss(l, labels.narrow(0, first, n), regression ? targets.narrow(0, first, n) : targets, regression));
          const double fraction = static_cast<double>(n) / static_cast<double>(rows);
          torch::Tensor share = torch::stack(losses) * fraction;  // [E]
          torch::Tensor objective = exitTurn ? share.sum() : torch::zeros({}, share.options());
          if (lte) {
            // Squared error of each exit's score against whether that exit was right (its
            // output detached: the LTE term never moves the exit's own prediction head).
            std::vector<torch::Tensor> lteLosses;
            for (int64_t e = 0; e < E; ++e) {
              const auto& l = logits[static_cast<size_t>(e)];
              torch::Tensor target = lteTarget(l, labels.narrow(0, first, n), regression ? targets.narrow(0, first, n) : targets,
                                               regression);
              lteLosses.push_back(torch::nn::functional::mse_loss(lte->score(e, exitHidden[static_cast<size_t>(e)]), target));
            }
            torch::Tensor lteShare = torch::stack(lteLosses) * fraction;  // [E]
            if (lteTurn) objective = objective + c.lte.weight * lteShare.sum();
            lteStacked = lteStacked.defined() ? lteStacked + lteShare.detach() : lteShare.detach();
          }
          objective.backward();
          stacked = stacked.defined() ? stacked + share.detach() : share.detach();
        }
        for (auto& group : model->clipGroups())
          if (c.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(group, c.max_grad_norm);
        if (lte && c.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(lte->parameters(), c.max_grad_norm);

        // Sync point: the only device->host copy of the step.
        auto lossesCpu = stacked.detach().to(torch::kCPU, torch::kFloat).contiguous();
        std::vector<float> exitLosses(lossesCpu.data_ptr<float>(), lossesCpu.data_ptr<float>() + E);
        std::vector<float> lteLosses;
        if (lte) {
          auto lteCpu = lteStacked.to(torch::kCPU, torch::kFloat).contiguous();
          lteLosses.assign(lteCpu.data_ptr<float>(), lteCpu.data_ptr<float>() + E);
        }
        bool finite = true;
        for (float v : exitLosses) finite = finite && std::isfinite(v);
        if (!finite) {
          std::string values;
          for (float v : exitLosses) values += (values.empty() ? "" : ", ") + std::to_string(v);
          result.message = "loss became NaN/Inf at step " + std::to_string(step + 1) + " (per-exit losses: " + values +
                           "); the run file keeps the steps before it. Lower learning_rate or add warmup.";
          state = RunState::Failed;
          break;
        }
        optimizer.step();
        ++step;
        writer.appendStep(exitLosses, static_cast<float>(lr), step, lteLosses);

        if (recorder && (recorder->due(step) || (cb.record_gradients_now && cb.record_gradients_now->exchange(false)))) {
          if (trainBatchProbe) pendingRecord = step;
          else recordGradients(step, nullptr, nullptr);
        }
        if (c.eval_every > 0 && step % c.eval_every == 0 && step < totalSteps) {
          // The last step is skipped: the final evaluation follows it anyway.
          writer.appendInterimEval(step, exitLogits(*model, tokenizer, data.eval, c.eval_batch_size, K, device));
          if (cb.on_evaluation) cb.on_evaluation(step);
        }

        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        StepMetrics m;
        m.step = step;
        m.total_steps = totalSteps;
        m.epoch = epoch;
        m.exit_losses = exitLosses;
        m.learning_rate = lr;
        m.examples_per_second = static_cast<double>(std::min(nTrain * c.epochs, step * c.batch_size) -
                                                    std::min(nTrain * c.epochs, firstStep * c.batch_size)) /
                                std::max(1e-9, elapsed);
        m.eta_seconds = elapsed / static_cast<double>(step - firstStep) * static_cast<double>(totalSteps - step);
        if (c.checkpoint_every > 0 && step % c.checkpoint_every == 0 && step < totalSteps) writeCheckpoint();
        if (cb.on_step && !cb.on_step(m)) {
          state = RunState::Stopped;
          break;
        }
      }
    }
    if (state == RunState::Stopped && cb.checkpoint_on_stop) {
      say("writing a resume checkpoint at step " + std::to_string(step));
      writeCheckpoint();
    }
    if (pendingRecord && state == RunState::Finished) {  // after the last step: the next epoch's first batch
      const auto order = permutation(nTrain, static_cast<uint64_t>(c.seed) * 1000003ULL + static_cast<uint64_t>(c.epochs));
      const auto end = static_cast<size_t>(std::min(nTrain, c.batch_size));
      ModelInput input = makeInput(tokenizer, data.train.encodings, order, 0, end, device);
      torch::Tensor labels = labelTensor(data.train.labels, order, 0, end, device);
      recordGradients(*pendingRecord, &input, &labels);
    }
    result.steps = step;

    // Weights first: a run stopped by the user or failing during evaluation keeps them. A
    // NaN step was never applied, but a run that failed is not worth a model folder.
    if (c.save_model && state != RunState::Failed && step > 0) {
      say("saving the model to " + modelDir);
      model->to(torch::kCPU);
      saveModelAtomically(*model, lte ? lte.get() : nullptr, ck, data.task.label_names, c.pooler == "shared", modelDir);
      result.model_dir = modelDir;
      model->to(device);
    }

    if (state != RunState::Finished) {
      result.outcome = state == RunState::Stopped ? RunState::Stopped : RunState::Failed;
      if (result.message.empty())
        result.message = "stopped at step " + std::to_string(step) + " of " + std::to_string(totalSteps) +
                         ", before its evaluation; the run file keeps every step" +
                         (result.model_dir.empty() ? "" : " and the model is saved") +
                         (checkpointedStep == step ? "; sweet train --resume continues it" : "");
      // The file already says where it stopped; its message says why and what is kept.
      writer.setState(state, step,
                      state == RunState::Stopped
                          ? "stopped on request" + (result.model_dir.empty() ? "" : "; model saved to " + modelDir) +
                                (checkpointedStep == step ? "; resume checkpoint " + checkpointFile : "")
                          : result.message);
      writer.close();
      return result;
    }

    // ---- Evaluation: one pass gives every exit's logits -----------------------------------
    say("evaluating every exit on " + std::to_string(data.eval.encodings.size()) + " examples");
    std::vector<float> evalLte;
    if (lte) lte->eval();
    auto evalLogits = exitLogits(*model, tokenizer, data.eval, c.eval_batch_size, K, device, lte ? lte.get() : nullptr, &evalLte);
    if (lte) writer.writeEvalLteScores(evalLte);
    writer.writeEvalLogits(evalLogits);
    std::vector<float> calibrationLte;
    writer.writeCalibrationLogits(exitLogits(*model, tokenizer, data.calibration, c.eval_batch_size, K, device,
                                             lte ? lte.get() : nullptr, &calibrationLte));
    if (lte) writer.writeCalibrationLteScores(calibrationLte);
    result.exit_scores = exitScores(evalLogits, data.eval, E, K, data.task.metric);
    // "finished" is the last thing written: a reader never sees it on a file that lacks
    // anything.
    writer.setState(RunState::Finished, step);
    writer.close();
    fs::remove(checkpointFile);  // finished: nothing left to resume
    result.outcome = RunState::Finished;
    result.message = "finished " + std::to_string(step) + " steps";
    return result;
  } catch (const std::exception& e) {
    const std::string message = messageOf(e);
    try {
      writer.setState(RunState::Failed, step, message);
      writer.close();
    } catch (const std::exception&) {
      // A full disk or a vanished folder: the original error is the one worth reporting.
    }
    throw std::runtime_error(message);
  }
}

}  // namespace

TrainResult runTraining(const TrainConfig& config, const TrainCallbacks& callbacks, ResumePolicy resume) {
  try {
    return train(config, callbacks, resume);
  } catch (const c10::Error& e) {
    throw std::runtime_error(messageOf(e));
  }
}

}  // namespace sweet
