// The HDF5 file of one `sweet pretrain` run (format attribute "sweet-pretrain", so sweet
// report, repair and the workbench, which read "sweet-run" files, tell it apart): the
// config and environment as JSON attributes, /status (an int64, RunState's values, as in a
// run file) with /status_message, and per optimiser step /train/mlm_loss,
// /train/mlm_accuracy and /train/learning_rate; /eval holds the held-out MLM loss and
// accuracy before and after training as attributes. Created "running" when the run starts
// and written whole when it ends (pre-training records three numbers a step, so nothing
// is lost by keeping them in memory until then). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/run_state.h"

namespace sweet {

inline constexpr const char* kPretrainFormat = "sweet-pretrain";

struct PretrainRecord {
  std::vector<float> mlm_loss, mlm_accuracy, learning_rate;  // one entry per optimiser step
  double eval_loss_before = 0, eval_accuracy_before = 0;
  double eval_loss_after = 0, eval_accuracy_after = 0;
  int64_t eval_texts = 0, train_texts = 0, total_steps = 0;
};

// Creates (truncates) `path` with the config, environment and status "running". Throws
// naming the file.
void createPretrainRunFile(const std::string& path, const std::string& config_json, const std::string& environment_json);
// Writes the steps, the evaluations and the final state into a file createPretrainRunFile
// made. Throws naming the file.
void finishPretrainRunFile(const std::string& path, const PretrainRecord& record, RunState state,
                           const std::string& message);

// What a test or tool reads back. Throws naming the file when it is not a pre-training run.
struct PretrainRunFile {
  std::string config_json, environment_json, status_message;
  RunState state = RunState::Running;
  PretrainRecord record;
};
PretrainRunFile readPretrainRunFile(const std::string& path);

}  // namespace sweet
