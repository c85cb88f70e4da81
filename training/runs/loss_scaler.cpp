// Dynamic loss scaling: see loss_scaler.h.
#include "training/runs/loss_scaler.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sweet {

LossScaler::LossScaler(const c10::Device& device)
    : scale_(torch::full({1}, kInitialScale, torch::dtype(torch::kFloat).device(device))),
      growthTracker_(torch::zeros({1}, torch::dtype(torch::kInt).device(device))) {}

at::Tensor LossScaler::scale(const at::Tensor& objective) const { return objective * scale_.to(objective.scalar_type()); }

at::Tensor LossScaler::unscale(const std::vector<at::Tensor>& parameters) const {
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  at::Tensor foundInf = torch::zeros({1}, scale_.options());
  // The inverse in double then float, as GradScaler computes it: 2^-16 is exact either way.
  const at::Tensor inverse = scale_.to(torch::kDouble).reciprocal().to(torch::kFloat);
  if (!grads.empty()) at::_amp_foreach_non_finite_check_and_unscale_(grads, foundInf, inverse);
  return foundInf;
}

void LossScaler::update(const at::Tensor& foundInf) {
  at::_amp_update_scale_(scale_, growthTracker_, foundInf, kGrowthFactor, kBackoffFactor, kGrowthInterval);
}

void LossScaler::restore(const std::vector<at::Tensor>& state) {
  if (state.size() != 2 || state[0].numel() != 1 || state[1].numel() != 1)
    throw std::runtime_error("loss scaler state: expected a scale and a growth tracker");
  torch::NoGradGuard noGrad;
  scale_.copy_(state[0]);
  growthTracker_.copy_(state[1]);
}

double LossScaler::currentScale() const { return scale_.item<double>(); }

}  // namespace sweet
