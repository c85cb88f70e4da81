// The GUI's only door into training/ (libtorch): plain structs and functions with no Qt
// and no training headers, so widget files never pull libtorch into their compile (a
// torch include costs ~11 s and 1 GB per file) and tests can drive training directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sweet::ui {

struct JobProgress {
  int64_t step = 0, totalSteps = 0, epoch = 0;
  std::vector<float> exitLosses;
  double learningRate = 0, examplesPerSecond = 0, etaSeconds = 0;
};

// One gradient record as the trainer reports it, with the run's exit layers so a view can
// label its rows before the run file is read.
struct JobGradients {
  int64_t step = 0;
  std::vector<int64_t> layers;      // [G] recorded layers, 1-based
  std::vector<int64_t> exitLayers;  // [E]
  int64_t exits = 0;
  std::vector<float> cosines;       // [G, E, E], NaN = undefined
};

struct JobCallbacks {
  std::function<bool(const JobProgress&)> onStep;         // return false to stop
  std::function<void(const JobGradients&)> onGradients;   // after each gradient record
  std::function<void(const std::string&)> onMessage;
  // The run file now exists (SWMR-readable), with the exit layers the trainer resolved.
  std::function<void(const std::string&, const std::vector<int64_t>&)> onRunFile;
  std::function<void(int64_t step)> onEvaluation;         // an interim evaluation was written
  const std::atomic<bool>* stopRequested = nullptr;       // polled before every step
};

struct JobResult {
  enum class Outcome { Finished, Stopped, Failed };
  Outcome outcome = Outcome::Failed;
  std::string runFile, message;
  int64_t steps = 0;
};

// Runs one training run from a JSON config (training/runs/train_config.h keys). Bad configs
// and inputs throw std::runtime_error before any step.
JobResult runTrainingJob(const std::string& configJson, const JobCallbacks& callbacks);

// Writes (once) the demo's random-init checkpoint into `dir` from a BERT config file
// (empty: resources/demo/config.json) and returns the folder.
std::string ensureDemoCheckpointAt(const std::string& dir, const std::string& configFile = {});

// Opens a checkpoint folder as training would and describes it ("4 layers, hidden 64,
// vocab 256"); throws std::runtime_error naming the missing or broken file.
std::string describeCheckpoint(const std::string& dir);

// Checks that a GLUE task folder holds the task's training and evaluation files and that
// they are readable; returns "train.tsv, dev.tsv" as found, throws naming the missing file.
std::string checkDataFolder(const std::string& task, const std::string& dir);

// Checks a training config without running it (unknown keys, bad values); throws.
void validateTrainConfig(const std::string& configJson);
// Reads a training config file as `sweet train` does, applies "key=value" overrides and
// validates the result; returns its JSON text. Throws std::runtime_error naming the file.
std::string readTrainConfigFile(const std::string& path, const std::vector<std::string>& overrides);
// The run's name as the trainer will resolve it (run_name, else <task>-<method>-lr-s).
std::string resolvedRunName(const std::string& configJson);

std::string libtorchVersion();
// Path of a file under resources/ (see app/cli/resource_locator.h); throws when absent.
std::string resourceFile(const std::string& relative);

}  // namespace sweet::ui
