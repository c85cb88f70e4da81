// The batches a run measures gradient conflict on (Fig. 3/9): the recorder's fixed probe
// (held-out calibration rows, else the first eval rows), an optional second fixed probe
// of the rows after it, or each record's next training batch (gradients.probe =
// "train_batch"). Absent when gradients.every is 0.
#pragma once

#include <c10/core/Device.h>

#include <memory>
#include <optional>

#include "training/runs/data_split.h"
#include "training/runs/gradient_recorder.h"
#include "training/runs/training_batch.h"

namespace sweet {

struct GradientProbes {
  std::unique_ptr<GradientRecorder> recorder;  // null: the run records no gradients
  std::optional<TrainingBatch> second;         // Fig. 9: a second fixed batch
  bool on_train_batch = false;                 // records are taken on the next training batch
  int64_t secondProbeRows() const { return second ? second->rows() : 0; }
  // One record after `step` steps: on `batch` (a training batch, dropout on) when given,
  // else on the fixed probe; with the second probe's alongside.
  struct Taken {
    GradientRecord first, second;
  };
  Taken take(int64_t step, const TrainingBatch* batch) const;
};

GradientProbes makeGradientProbes(const TrainConfig& config, const DataSplits& data, const Tokenizer& tokenizer,
                                  ExitClassifier& model, const c10::Device& device);

}  // namespace sweet
