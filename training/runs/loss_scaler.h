// Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler does it: the
// objective is multiplied by the scale before backward, so gradients too small for fp16
// do not flush to zero; the gradients are divided by it again before clipping; a step
// whose gradients hold inf/NaN is skipped and the scale halved; after 2000 finite steps
// in a row it doubles. Scale and counters stay on the device: the only host read is the
// found-inf flag, which travels with the step's losses in one copy.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

namespace sweet {

class LossScaler {
 public:
  static constexpr double kInitialScale = 65536.0;  // 2^16
  static constexpr double kGrowthFactor = 2.0, kBackoffFactor = 0.5;
  static constexpr int64_t kGrowthInterval = 2000;

  explicit LossScaler(const c10::Device& device);

  at::Tensor scale(const at::Tensor& objective) const;  // objective x scale, for backward
  // Divides every defined gradient of `parameters` by the scale in place; returns a
  // one-element float tensor on the device, > 0 when any gradient was inf/NaN.
  at::Tensor unscale(const std::vector<at::Tensor>& parameters) const;
  // After the step (applied or skipped): back off on found inf, else count towards growth.
  void update(const at::Tensor& foundInf);

  // Scale and growth tracker, for a resume checkpoint.
  std::vector<at::Tensor> state() const { return {scale_, growthTracker_}; }
  void restore(const std::vector<at::Tensor>& state);
  double currentScale() const;  // a host read: for messages and tests

 private:
  at::Tensor scale_;          // [1] float32
  at::Tensor growthTracker_;  // [1] int32: finite steps since the last change
};

}  // namespace sweet
