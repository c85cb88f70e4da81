// Fine-tuning one run (one method, task, learning rate and seed) from start to finish:
// data, model, AdamW with a linear schedule, per-exit losses, the gradient recorder, one
// evaluation pass that yields every exit's logits, the run file and the saved model.
// Qt-free: progress goes to callbacks, so the CLI draws a progress bar and the GUI's
// adapter turns the same calls into queued signals.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/run_state.h"
#include "training/runs/resume_policy.h"
#include "training/runs/step_schedule.h"
#include "training/runs/train_config.h"

namespace sweet {

struct StepMetrics {
  int64_t step = 0, total_steps = 0, epoch = 0;
  std::vector<float> exit_losses;  // this step's per-exit cross-entropy
  double learning_rate = 0;
  double examples_per_second = 0;
  double eta_seconds = 0;
};

struct GradientSummary {
  int64_t step = 0;
  std::vector<int64_t> layers;
  int64_t exits = 0;
  std::vector<float> cosines;  // [G, E, E], NaN = undefined
};

struct TrainCallbacks {
  // Called after every optimiser step; return false to stop the run cleanly.
  std::function<bool(const StepMetrics&)> on_step;
  std::function<void(const std::string&)> on_message;          // phases, warnings
  std::function<void(const GradientSummary&)> on_gradients;    // after each record
  // Once the run file exists (SWMR: readable from now on), with the exits the run trains.
  std::function<void(const std::string& run_file, const std::vector<int64_t>& exit_layers)> on_run_file;
  std::function<void(int64_t step)> on_evaluation;             // after each interim evaluation
  const std::atomic<bool>* stop_requested = nullptr;           // checked before every step
  std::atomic<bool>* record_gradients_now = nullptr;           // on-demand record; cleared when taken
  // Write a resume checkpoint when the run stops on request (the CLI's signals: Slurm's
  // preemption and time-limit warnings), so `sweet train --resume` continues it.
  bool checkpoint_on_stop = false;
};

struct TrainResult {
  RunState outcome = RunState::Failed;  // Finished, Stopped or Failed
  std::string run_file, model_dir, message;
  int64_t steps = 0;
  std::string metric;
  std::vector<int64_t> exit_layers;
  std::vector<double> exit_scores;  // eval metric per exit (empty when not evaluated)
};

// Runs training. Bad input (missing files, malformed data, a checkpoint that does not fit,
// an unwritable output folder) throws std::runtime_error before any step; NaN/Inf losses
// and stop requests end the run with the run file kept (outcome Failed / Stopped).
TrainResult runTraining(const TrainConfig& config, const TrainCallbacks& callbacks = {},
                        ResumePolicy resume = ResumePolicy::Never);

}  // namespace sweet
