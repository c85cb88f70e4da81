// Gradient clipping: see gradient_clipping.h.
#include "training/runs/gradient_clipping.h"

#include <torch/torch.h>
#include <torch/version.h>

namespace sweet {
namespace {

void clipOnDevice(const std::vector<at::Tensor>& parameters, double maxNorm) {
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return;
  const at::Tensor total = torch::stack(at::_foreach_norm(grads, 2)).norm(2);
  const at::Tensor coefficient = torch::clamp(maxNorm / (total + 1e-6), c10::nullopt, 1.0);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  at::_foreach_mul_(grads, coefficient);  // one launch for the group (libtorch >= 2.1)
#else
  for (auto& g : grads) g.mul_(coefficient);
#endif
}

}  // namespace

void clipGradientNorm(const std::vector<at::Tensor>& parameters, double maxNorm, const c10::Device& device) {
  if (device.is_cuda()) clipOnDevice(parameters, maxNorm);
  else torch::nn::utils::clip_grad_norm_(parameters, maxNorm);
}

}  // namespace sweet
