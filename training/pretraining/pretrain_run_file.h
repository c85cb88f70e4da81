// The HDF5 file of one `sweet pretrain` run (format attribute "sweet-pretrain", so sweet
// report, repair and the workbench, which read "sweet-run" files, tell it apart), written
// as the run goes like a fine-tuning run file: every dataset is made up front, the file
// switches to SWMR mode, and each row is flushed, so a killed pre-training keeps its steps.
//
// Layout (format_version 2): the config and environment as JSON attributes; /status int64
// [3] (RunState's value, steps done, total steps), /heartbeat (UTC seconds of the last
// write) and /status_message; per optimiser step /train/mlm_loss, /train/mlm_accuracy and
// /train/learning_rate (float32), /train's attribute "texts"; per held-out evaluation
// /eval/step (0 = before training), /eval/mlm_loss and /eval/mlm_accuracy (float64), /eval's
// attribute "texts". Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/run_state.h"

namespace sweet {

inline constexpr const char* kPretrainFormat = "sweet-pretrain";

struct PretrainRecord {
  std::vector<float> mlm_loss, mlm_accuracy, learning_rate;  // one entry per optimiser step
  std::vector<int64_t> eval_steps;                            // one entry per evaluation
  std::vector<double> eval_loss, eval_accuracy;
  // The first evaluation (before training) and the last one, NaN when there is none.
  double eval_loss_before = 0, eval_accuracy_before = 0;
  double eval_loss_after = 0, eval_accuracy_after = 0;
  int64_t eval_texts = 0, train_texts = 0, total_steps = 0;
};

struct PretrainRunHeader {
  std::string config_json, environment_json;
  int64_t train_texts = 0, eval_texts = 0, total_steps = 0;
};

class PretrainRunFileWriter {
 public:
  // Creates (truncates) `path`, status "running". Throws naming the file and the cause.
  PretrainRunFileWriter(const std::string& path, const PretrainRunHeader& header);
  // Continuing a run from a checkpoint taken after `steps` steps: a new file that starts
  // with the old file's first `steps` steps and its evaluations up to that step, built
  // beside `path` and renamed over it once complete (the old file stays whole until then).
  // Throws naming the file when the old one is unreadable or holds fewer steps.
  PretrainRunFileWriter(const std::string& path, const PretrainRunHeader& header, int64_t steps);
  ~PretrainRunFileWriter();
  PretrainRunFileWriter(const PretrainRunFileWriter&) = delete;
  PretrainRunFileWriter& operator=(const PretrainRunFileWriter&) = delete;

  // One optimiser step, flushed. Throws "<file>: cannot append ...: <strerror>".
  void appendStep(float mlm_loss, float mlm_accuracy, float learning_rate);
  // A held-out evaluation after `step` steps, flushed.
  void appendEval(int64_t step, double mlm_loss, double mlm_accuracy);
  // The state with why (kept to kStatusMessageBytes), flushed.
  void setState(RunState state, const std::string& message = "");
  // Ends SWMR mode and closes; safe twice. Throws naming the file when its last changes
  // could not reach the disk.
  void close();
  int64_t steps() const;
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

// What a test or tool reads back. Throws naming the file when it is not a pre-training run
// file of this format version.
struct PretrainRunFile {
  std::string config_json, environment_json, status_message;
  RunState state = RunState::Running;
  int64_t steps_done = 0;
  // Still "running" but its writer is gone (killed, or its machine went down): analysis's
  // writerGone rule, applied to this file.
  bool writer_gone = false;
  PretrainRecord record;
  // "running", "finished", "stopped", "failed", or "killed" (writer_gone).
  std::string stateName() const;
};
PretrainRunFile readPretrainRunFile(const std::string& path);

}  // namespace sweet
