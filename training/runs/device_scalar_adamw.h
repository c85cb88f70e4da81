// AdamW with every per-step scalar on the device: the learning rate a 0-d tensor, each
// parameter's update count a device value that the update itself increments, the bias
// corrections and the decay computed from those by kernels. A CUDA graph freezes every
// host scalar it was captured with; FusedAdamW's per-step scalars (lr, 1 - beta^t) are
// host values, so a captured FusedAdamW::step would replay step 1's bias correction
// forever. This one replays correctly (cuda_graph_step.h), and on the CPU it computes the
// same update as FusedAdamW up to rounding, which test_cuda_graphs checks here.
// It updates FusedAdamW's own tensors and keeps its counts (countUpdate) in step, so a
// checkpoint and a resume see one optimiser whichever of the two ran.
#pragma once

#include <torch/types.h>

#include <cstddef>
#include <vector>

#include "training/runs/fused_adamw.h"

namespace sweet {

class DeviceScalarAdamW {
 public:
  // Reads `host`'s state as it stands (after a resume's restore); the tensors are shared.
  explicit DeviceScalarAdamW(FusedAdamW& host);

  // The learning rate of the next update: a fill of a device scalar, never captured.
  void setLearningRate(double lr);
  // Enqueues (or, during a capture, records) one update of every parameter that has a
  // gradient, and returns their indices; the host's counts are left alone, since a
  // captured update runs at each replay, not now. Parameters are grouped by decay and
  // update count (one multiplier per group), so the update is a few multi-tensor launches
  // per group however many parameters there are.
  std::vector<size_t> enqueueUpdate();
  // enqueueUpdate() run now, counted on the host; returns the parameters it updated.
  std::vector<size_t> step();
  // The host's counts after an update enqueued earlier ran again (a graph replay).
  void countReplay(const std::vector<size_t>& updated) { host_.countUpdate(updated); }

 private:
  struct Group {
    std::vector<size_t> members;
    double weight_decay = 0.0;
  };
  std::vector<Group> groupsOf(const std::vector<size_t>& updated) const;

  FusedAdamW& host_;
  std::vector<FusedAdamW::ParameterState> states_;
  AdamWHyper hyper_;
  torch::Tensor lr_;         // 0-d double on the parameters' device
  torch::Tensor counts_;     // [P] double: each parameter's updates, kept on the device
  torch::Tensor decays_;     // [P] double: each parameter's weight decay (constant)
  std::vector<torch::Tensor> countViews_;  // P 0-d views into counts_
};

}  // namespace sweet
