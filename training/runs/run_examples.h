// The labelled examples a run configuration names (its task: GLUE, demo or custom; its
// training and evaluation files), read exactly as the trainer reads them, so a later
// process (real early-exit inference on the run's dev set) sees the same rows in the
// same order as the run file's /eval datasets.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "training/runs/train_config.h"
#include "training/text/task_spec.h"
#include "training/text/text_dataset.h"

namespace sweet {

struct RunExamples {
  TaskSpec task;
  std::vector<TextExample> train;  // empty unless asked for
  std::vector<TextExample> eval;   // the whole eval file, or its first eval_max_examples rows
};

// Throws std::runtime_error naming the file for unreadable or malformed data and for an
// unknown task; `say` hears about skipped rows (skip_invalid_rows).
RunExamples loadRunExamples(const TrainConfig& config, bool with_train,
                            const std::function<void(const std::string&)>& say);

}  // namespace sweet
