// Training adapter: see training_adapter.h. The one ui/ file that includes training
// headers (bert_checkpoint.h pulls ATen), so it is the only slow compile in sweet_ui.
#include "ui/training_adapter.h"

#include "cli/resource_locator.h"
#include "training/bert_checkpoint.h"
#include "training/bert_config.h"
#include "training/demo_checkpoint.h"
#include "training/device.h"
#include "training/exit_classifier.h"
#include "training/train_config.h"
#include "training/trainer.h"

#include <nlohmann/json.hpp>

namespace sweet::ui {
namespace {

// The exit layers the trainer will use (the same rule as runTraining); empty when the
// checkpoint's config cannot be read, in which case training itself reports the error.
std::vector<int64_t> resolvedExitLayers(const TrainConfig& config) {
  if (!config.exit_layers.empty()) return config.exit_layers;
  try {
    return defaultExitLayers(loadBertConfig(config.model + "/config.json").num_hidden_layers);
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

JobResult runTrainingJob(const std::string& configJson, const JobCallbacks& callbacks) {
  const TrainConfig config = trainConfigFromJson(nlohmann::json::parse(configJson), "experiment");
  TrainCallbacks cb;
  cb.stop_requested = callbacks.stopRequested;
  if (callbacks.onMessage) cb.on_message = callbacks.onMessage;
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
  std::vector<int64_t> exitLayers;
  if (callbacks.onGradients && config.gradients.every > 0) {
    exitLayers = resolvedExitLayers(config);
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
  if (c.vocab_file.empty()) throw std::runtime_error(dir + ": no vocab.txt (the tokenizer needs it)");
  return text;
}

void validateTrainConfig(const std::string& configJson) {
  trainConfigFromJson(nlohmann::json::parse(configJson), "experiment");
}

std::string libtorchVersion() { return sweet::libtorchVersion(); }

std::string resourceFile(const std::string& relative) { return cli::resourcePath(relative); }

}  // namespace sweet::ui
