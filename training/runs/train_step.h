// One optimiser step of EE, SWEET or MM (with learning-to-exit heads when the run has
// them): forward every exit, sum the exits' mean losses, backward, clip, update. The
// routing that makes SWEET SWEET lives in the model's forward pass (detached hidden states
// at exit boundaries), so this step is the same for every method.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "training/runs/train_config.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_model.h"

namespace sweet {

struct StepLosses {
  std::vector<float> exit;  // [E] each exit's mean loss over the batch
  std::vector<float> lte;   // [E] each exit's LTE loss (LTE runs), else empty
  bool finite = true;       // false: a loss was NaN/Inf and the update was not applied
};

// The step that makes `step` + 1 at learning rate `lr`. Copies the losses to the host
// once (the step's only device->host sync).
StepLosses trainStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& config, int64_t step, double lr,
                     bool regression);

}  // namespace sweet
