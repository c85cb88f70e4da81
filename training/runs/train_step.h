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

#include "training/runs/pending_losses.h"
#include "training/runs/train_config.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_model.h"

namespace sweet {

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

// The same step with the losses read late where `late` and the model's device allow it
// (CUDA, not fp16: see lateLossRead). The host then cannot tell a NaN step before the
// update, so the update is applied whatever the losses: the trainer reports the NaN when
// it reads the row and the run fails there, keeping neither model nor checkpoint.
PendingLosses launchTrainStep(TrainingModel& t, const TrainingBatch& batch, const TrainConfig& config, int64_t step,
                              double lr, bool regression, bool late);

// Whether a run's step losses are read late (config loss_read; auto: on CUDA). fp16 never:
// whether to skip its update is the found-inf flag the host reads.
bool lateLossRead(const TrainConfig& config, const TrainingModel& t);

}  // namespace sweet
