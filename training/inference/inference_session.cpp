// Opening a fine-tuned model for inference: see inference_session.h.
#include "training/inference/inference_session.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include "analysis/temperature_scaling.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/model_manifest.h"
#include "training/models/exit_model_factory.h"
#include "training/models/attention_kernel.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/device.h"
#include "training/runs/run_examples.h"
#include "training/runs/train_config.h"

namespace sweet {
namespace fs = std::filesystem;

namespace {

std::string siblingRunFile(const std::string& modelDir) {
  fs::path dir = fs::path(modelDir);
  if (!dir.has_filename()) dir = dir.parent_path();  // "x.model/" -> "x.model"
  if (dir.extension() != ".model") return "";
  fs::path run = dir;
  run.replace_extension(".h5");
  return fs::exists(run) ? run.string() : "";
}

torch::Tensor longTensor(const std::vector<int64_t>& v, int64_t rows, int64_t cols, const c10::Device& device) {
  torch::Tensor host = torch::from_blob(const_cast<int64_t*>(v.data()), {rows, cols}, torch::kLong).clone();
  // A plain copy to CUDA waits for the work already queued (with re-batching, the earlier
  // batches' segments); from pinned memory it is queued behind that work instead.
  return device.is_cuda() ? host.pin_memory().to(device, /*non_blocking=*/true) : host;
}

// The precision the run trained in (its environment attribute; absent in files from before
// precisions were recorded: fp32), on `device`: an fp16 run inferred on the CPU runs in
// fp32 there, and says so.
Precision runPrecisionOn(const analysis::RunData& run, const c10::Device& device,
                         const std::function<void(const std::string&)>& say) {
  const nlohmann::json& environment = run.environment;
  const bool recorded = environment.is_object() && environment.contains("precision") && environment["precision"].is_string();
  const Precision trained = recordedPrecision(recorded ? environment["precision"].get<std::string>() : "");
  if (trained == Precision::Fp16 && !device.is_cuda()) {
    say("the run trained in fp16, which runs on CUDA only: inferring in fp32 on " + device.str());
    return Precision::Fp32;
  }
  return resolvePrecision(trained, device);
}

}  // namespace

InferenceSession openInferenceSession(const std::string& modelDir, const std::string& runFile,
                                      const std::string& device, int threads,
                                      const std::function<void(const std::string&)>& say,
                                      const std::string& precision) {
  if (!fs::is_directory(modelDir))
    throw std::runtime_error(modelDir + ": no such folder (expected a fine-tuned model saved by sweet train: "
                                        "<output_dir>/<run>.model)");
  InferenceSession s;
  s.model_dir = modelDir;
  configureThreads(threads, "--threads");
  s.device = parseDevice(device);
  // Checked before anything slow, so a typo fails at once.
  if (!precision.empty()) s.precision = resolvePrecision(parsePrecision(precision, "--precision"), s.device, "--precision");
  CheckpointWithTokenizer opened = openCheckpointWithTokenizer(modelDir);
  s.config = opened.checkpoint.config;
  s.model = loadExitClassifier(modelDir);
  if (s.config.label_names.size() != static_cast<size_t>(s.config.num_labels))
    throw std::runtime_error(modelDir + "/config.json: " + std::to_string(s.config.label_names.size()) +
                             " label names for num_labels " + std::to_string(s.config.num_labels));
  if (s.config.num_labels == 1)
    throw std::runtime_error(modelDir + ": a regression model (num_labels 1, e.g. STS-B) has no softmax confidences to "
                             "exit on; early-exit inference serves classification models");
  s.model->eval();
  s.model->to(s.device);
  // The fused kernel on CUDA where this libtorch has it, the explicit path on the CPU, as
  // the trainer chooses under attention "auto".
  useAttentionKernel(*s.model, resolveAttentionKernel("auto", s.device));
  const std::string lteFile = (std::filesystem::path(modelDir) / kLteWeightsFile).string();
  if (std::filesystem::exists(lteFile)) {
    s.lte = loadLteHeads(lteFile, s.config.hidden_size, s.exits());
    s.lte->to(s.device);
  }
  s.tokenizer = std::move(opened.tokenizer);
  s.max_length = s.config.max_position_embeddings;

  s.run_file = runFile.empty() ? siblingRunFile(modelDir) : runFile;
  if (s.run_file.empty()) {
    say("no run file beside " + modelDir + " (expected <run>.h5 next to <run>.model): confidences are not "
        "temperature-scaled and there is no dev set to measure on");
    return s;
  }
  s.run = analysis::loadRun(s.run_file);
  const analysis::RunData& run = *s.run;
  if (const std::optional<ModelManifest> manifest = readModelManifest(modelDir))
    checkRunOfModel(*manifest, modelDir, s.run_file, run.configText);
  if (run.method != s.model->method() || run.exitLayers != s.model->exitLayers() || run.labelNames != s.config.label_names)
    throw std::runtime_error(s.run_file + " is not the run of " + modelDir + ": it trained " + run.method + " with exits " +
                             nlohmann::json(run.exitLayers).dump() + ", the model is " + s.model->method() +
                             " with exits " + nlohmann::json(s.model->exitLayers()).dump());
  if (run.config.contains("max_length") && run.config["max_length"].is_number_integer())
    s.max_length = std::min(s.max_length, run.config["max_length"].get<int64_t>());
  if (precision.empty()) s.precision = runPrecisionOn(run, s.device, say);
  s.lte_minmax = analysis::lteThresholdRule(run) == analysis::LteThresholdRule::MinMax;
  if (s.lte && s.lte_minmax && run.evalDone && !run.lteScores.empty())
    s.lte_range = analysis::lteScoreRange(run.lteScores, run.exits(), run.eval.instances);
  return s;
}

ExitTemperatures sessionTemperatures(const InferenceSession& s, TemperatureUse use, std::string* description) {
  auto say = [&](const std::string& line) {
    if (description) *description = line;
  };
  ExitTemperatures t;
  if (use == TemperatureUse::None) {
    say("confidences: raw softmax (not temperature-scaled)");
    return t;
  }
  if (!s.run || !s.run->evalDone) {
    say("confidences: raw softmax (no finished run file to fit temperatures on)");
    return t;
  }
  const analysis::CalibrationResult cal = analysis::calibrate(*s.run, analysis::CalibrationSplit::Calibration);
  if (cal.scheme == analysis::CalibrationScheme::HeldOut) {
    t.per_exit = cal.replayTemperatures();
    say("confidences: temperature-scaled per exit, fitted on the run's held-out training rows");
  } else if (use == TemperatureUse::DevSet) {
    // Cross-fitting: instance i of the dev set is scored with the other fold's temperatures,
    // exactly as the replay does.
    t.per_instance = cal.replayTemperatures();
    t.instances = s.run->eval.instances;
    say("confidences: temperature-scaled per exit, two-fold cross-fitted on the dev set (as the replay)");
  } else {
    // New text is in neither fold, so the whole dev set is fair to fit on.
    for (const auto& e : analysis::calibrate(*s.run, analysis::CalibrationSplit::Eval).exits)
      t.per_exit.push_back(e.temperature);
    say("confidences: temperature-scaled per exit, fitted on the run's dev set (it has no held-out rows)");
  }
  return t;
}

EncodedSet encodeDevSet(const InferenceSession& s, const std::function<void(const std::string&)>& say) {
  if (!s.run) throw std::runtime_error(s.model_dir + ": no run file, so no dev set (pass --run RUN.h5)");
  const analysis::RunData& run = *s.run;
  const TrainConfig config = trainConfigFromJson(run.config, s.run_file + " (config attribute)");
  RunExamples examples = loadRunExamples(config, /*with_train=*/false, say);
  EncodedSet set;
  for (const TextExample& ex : examples.eval) {
    set.encodings.push_back(s.tokenizer->encode(ex.text_a, ex.text_b, config.max_length));
    set.labels.push_back(ex.label);
  }
  if (set.labels != run.eval.labels)
    throw std::runtime_error(s.run_file + ": its /eval/labels (" + std::to_string(run.eval.labels.size()) +
                             " instances) do not match the dev set read now (" + std::to_string(set.labels.size()) +
                             " instances, task " + config.task + "): the eval file changed since the run");
  return set;
}

EncodedSet encodeTexts(const InferenceSession& s, const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (!b.empty() && b.size() != a.size()) throw std::invalid_argument("encodeTexts: text_b must be empty or match text_a");
  EncodedSet set;
  for (size_t i = 0; i < a.size(); ++i) {
    set.encodings.push_back(
        s.tokenizer->encode(a[i], b.empty() ? std::nullopt : std::optional<std::string>(b[i]), s.max_length));
    set.labels.push_back(-1);
  }
  return set;
}

ModelInput makeBatch(const InferenceSession& s, const EncodedSet& set, size_t begin, size_t end) {
  std::vector<Encoding> picked(set.encodings.begin() + static_cast<std::ptrdiff_t>(begin),
                               set.encodings.begin() + static_cast<std::ptrdiff_t>(end));
  const TokenBatch b = s.tokenizer->pad(picked);
  return {longTensor(b.input_ids, b.batch, b.length, s.device), longTensor(b.attention_mask, b.batch, b.length, s.device),
          longTensor(b.token_type_ids, b.batch, b.length, s.device)};
}

}  // namespace sweet
