// Scoring a run's exits: one forward pass over a split (dropout off, no gradients) gives
// every exit's logits and, for LTE runs, every exit's learning-to-exit score. The final
// evaluation writes both for the eval and calibration rows and scores each exit with the
// task's metric through analysis/, which reads the same numbers back from the file.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "training/runs/data_split.h"
#include "training/runs/run_file_writer.h"
#include "training/runs/training_model.h"

namespace sweet {

struct ExitOutputs {
  std::vector<float> logits;      // row-major [E, N, K]
  std::vector<float> lte_scores;  // row-major [E, N]; empty unless asked for
};

// In the run's precision (t.precision); the logits and scores come back as fp32. Restores
// the model's training mode afterwards. `withLte` needs t.lte. `byLength`: the rows go
// through the model sorted by token count (stable), so each batch holds rows of about one
// length (little padding, few distinct shapes on a GPU), and come back in split order; the
// logits then differ from split-order batches in the last bits only (padding is masked).
ExitOutputs exitOutputs(TrainingModel& t, const Tokenizer& tokenizer, const Split& split, int64_t batchSize,
                        int64_t numLabels, const c10::Device& device, bool withLte, bool byLength = false);

// Whether evaluation batches are sorted by length (config eval_length_buckets; auto: on
// CUDA, off on the CPU, whose run files stay as they were).
bool evalByLength(const std::string& setting, const c10::Device& device);

// The final evaluation: logits (and LTE scores) of the eval and calibration rows written
// to the run file; returns each exit's score on the eval rows in the task's metric.
std::vector<double> evaluateExits(TrainingModel& t, const Tokenizer& tokenizer, const DataSplits& data,
                                  int64_t batchSize, int64_t numLabels, const c10::Device& device, RunFileWriter& writer,
                                  bool byLength = false);

}  // namespace sweet
