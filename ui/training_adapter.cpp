// Training adapter: see training_adapter.h. The one ui/ file that includes training
// headers (bert_checkpoint.h pulls ATen), so it is the only slow compile in sweet_ui.
#include "ui/training_adapter.h"

#include "cli/resource_locator.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/bert_config.h"
#include "training/checkpoints/demo_checkpoint.h"
#include "training/runs/device.h"
#include "training/models/exit_classifier.h"
#include "training/text/task_spec.h"
#include "training/runs/train_config.h"
#include "training/runs/trainer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace sweet::ui {
JobResult runTrainingJob(const std::string& configJson, const JobCallbacks& callbacks) {
  const TrainConfig config = trainConfigFromJson(nlohmann::json::parse(configJson), "experiment");
  TrainCallbacks cb;
  cb.stop_requested = callbacks.stopRequested;
  if (callbacks.onMessage) cb.on_message = callbacks.onMessage;
  // The trainer resolves the exit layers once; the gradient records reuse what it reported.
  std::vector<int64_t> exitLayers;
  cb.on_run_file = [&callbacks, &exitLayers](const std::string& file, const std::vector<int64_t>& layers) {
    exitLayers = layers;
    if (callbacks.onRunFile) callbacks.onRunFile(file, layers);
  };
  if (callbacks.onEvaluation) cb.on_evaluation = callbacks.onEvaluation;
  if (callbacks.onStep)
    cb.on_step = [&callbacks](const StepMetrics& m) {
      JobProgress p;
      p.step = m.step;
      p.totalSteps = m.total_steps;
      p.epoch = m.epoch;
      p.exitLosses = m.exit_losses;
      p.learningRate = m.learning_rate;
      p.examplesPerSecond = m.examples_per_second;
      p.etaSeconds = m.eta_seconds;
      return callbacks.onStep(p);
    };
  if (callbacks.onGradients && config.gradients.every > 0) {
    cb.on_gradients = [&callbacks, &exitLayers](const GradientSummary& g) {
      callbacks.onGradients({g.step, g.layers, exitLayers, g.exits, g.cosines});
    };
  }
  const TrainResult r = runTraining(config, cb);
  JobResult out;
  out.outcome = r.outcome == RunOutcome::Finished  ? JobResult::Outcome::Finished
                : r.outcome == RunOutcome::Stopped ? JobResult::Outcome::Stopped
                                                   : JobResult::Outcome::Failed;
  out.runFile = r.run_file;
  out.message = r.message;
  out.steps = r.steps;
  return out;
}

std::string ensureDemoCheckpointAt(const std::string& dir, const std::string& configFile) {
  return ensureDemoCheckpoint(configFile.empty() ? cli::resourcePath("demo/config.json") : configFile, dir);
}

std::string describeCheckpoint(const std::string& dir) {
  const BertCheckpoint c = openBertCheckpoint(dir);
  std::string text = std::to_string(c.config.num_hidden_layers) + " layers, hidden " +
                     std::to_string(c.config.hidden_size) + ", vocab " + std::to_string(c.config.vocab_size) +
                     ", weights " + c.dtype;
  if (!c.tokenizer)
    throw std::runtime_error(dir + ": no tokenizer files (vocab.txt, vocab.json + merges.txt, or spm.model)");
  return text;
}

void validateTrainConfig(const std::string& configJson) {
  trainConfigFromJson(nlohmann::json::parse(configJson), "experiment");
}

std::string checkDataFolder(const std::string& task, const std::string& dir) {
  const auto spec = glueTask(task);
  if (!spec) throw std::runtime_error("unknown task '" + task + "'");
  if (dir.empty()) throw std::runtime_error("task " + task + " needs a data folder (holding " + spec->train_file + " and " +
                                            spec->eval_file + ")");
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error(dir + ": no such folder");
  for (const std::string& file : {spec->train_file, spec->eval_file}) {
    const std::string path = (std::filesystem::path(dir) / file).string();
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": missing or unreadable (the " + task + " folder of GLUE holds " +
                                      spec->train_file + " and " + spec->eval_file + ")");
  }
  return spec->train_file + ", " + spec->eval_file;
}

std::string readTrainConfigFile(const std::string& path, const std::vector<std::string>& overrides) {
  const nlohmann::json j = readConfigFile(path, overrides);
  trainConfigFromJson(j, path, overrides);  // validates; the run gets the keys as written
  return j.dump();
}

std::string resolvedRunName(const std::string& configJson) {
  return trainConfigFromJson(nlohmann::json::parse(configJson), "experiment").resolvedRunName();
}

std::string libtorchVersion() { return sweet::libtorchVersion(); }

std::string resourceFile(const std::string& relative) { return cli::resourcePath(relative); }

}  // namespace sweet::ui
