// One optimiser step of EE, SWEET, MM or PCGrad (with learning-to-exit heads when the run
// has them): forward every exit, sum the exits' mean losses (weighted by
// exit_loss_weights), backward, clip, update. The routing that makes SWEET SWEET lives in
// the model's forward pass (detached hidden states at exit boundaries), so this step is the
// same for every method but PCGrad, which takes one backward per exit and sums the
// exits' gradients after projecting off their conflicts (gradient_surgery.h).
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
  // fp16 only: the gradients overflowed, so the update was skipped and the loss scale
  // halved, as GradScaler does; the losses are finite and the run goes on (not a failure).
  bool skipped = false;
};

// The step that makes `step` + 1 at learning rate `lr`, in the model's precision (forward
// passes under autocast for bf16 and fp16, losses and updates in fp32). Copies the losses
// to the host once (the step's only device->host sync; on CUDA clipping reads nothing).
StepLosses trainStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& config, int64_t step, double lr,
                     bool regression);

// The stages of trainStep a CUDA graph captures (cuda_graph_step.h) with an update of
// its own in place of FusedAdamW::step.
// The losses of a step, still on the device: [E] each, detached (lte undefined without
// LTE heads).
struct StepLossTensors {
  torch::Tensor exit, lte;
};
// Forward and backward of every part of `batch`, the gradients accumulating into
// parameters whose gradients the caller has dropped (FusedAdamW::zeroGrad).
StepLossTensors backwardStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& config, int64_t step,
                             bool regression);
// Each clip group's gradients to `maxNorm` (on CUDA without a host read).
void clipStepGradients(TrainingModel& t, double maxNorm);
// Sync point: the losses (and fp16's found-inf flag, when defined) to the host in one copy.
StepLosses readStepLosses(const torch::Tensor& exit, const torch::Tensor& lte, const torch::Tensor& foundInf);

}  // namespace sweet
