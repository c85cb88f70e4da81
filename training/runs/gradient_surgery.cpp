// PCGrad between exits: see gradient_surgery.h.
#include "training/runs/gradient_surgery.h"

#include <torch/torch.h>

namespace sweet {
namespace {

// g projected off other where they conflict, with the branch as data so the device never
// waits for the host: both sides are computed and torch::where keeps one, so g comes back
// bit for bit where they do not conflict (signed zeros, Inf and NaN included) and as the
// host branch computed it where they do: the float division of the two fp32 sums rounds as
// the double division rounded to float did (-Inf for a zero |g_j|^2, as before). It costs
// a subtraction over the tensor per pair that the branch skipped.
torch::Tensor projectedOff(const torch::Tensor& g, const torch::Tensor& other, const torch::Tensor& squaredNorm) {
  const torch::Tensor dot = (g * other).sum();
  return torch::where(dot < 0, g - (dot / squaredNorm) * other, g);
}

}  // namespace

std::vector<torch::Tensor> projectConflicts(const std::vector<torch::Tensor>& grads, const std::vector<int64_t>& order) {
  // |g_j|^2 once per exit: the same sum the projection divides by, whichever g_i it projects.
  std::vector<torch::Tensor> squaredNorms(grads.size());
  for (size_t j = 0; j < grads.size(); ++j)
    if (grads[j].defined()) squaredNorms[j] = (grads[j] * grads[j]).sum();
  std::vector<torch::Tensor> projected(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    torch::Tensor g = grads[i].clone();
    for (int64_t j : order) {
      const torch::Tensor& other = grads[static_cast<size_t>(j)];
      if (static_cast<size_t>(j) == i || !other.defined()) continue;
      g = projectedOff(g, other, squaredNorms[static_cast<size_t>(j)]);
    }
    projected[i] = g;
  }
  return projected;
}

std::vector<int64_t> projectionOrder(int64_t exits) {
  const torch::Tensor permutation = torch::randperm(exits, torch::TensorOptions().dtype(torch::kLong));
  return {permutation.data_ptr<int64_t>(), permutation.data_ptr<int64_t>() + exits};
}

ExitGradients::ExitGradients(std::vector<torch::Tensor> parameters, int64_t exits)
    : parameters_(std::move(parameters)),
      grads_(static_cast<size_t>(exits), std::vector<torch::Tensor>(parameters_.size())) {}

void ExitGradients::add(const std::vector<torch::Tensor>& exitObjectives) {
  for (size_t e = 0; e < exitObjectives.size(); ++e) {
    const bool last = e + 1 == exitObjectives.size();
    const std::vector<torch::Tensor> g = torch::autograd::grad({exitObjectives[e]}, parameters_, /*grad_outputs=*/{},
                                                               /*retain_graph=*/!last, /*create_graph=*/false,
                                                               /*allow_unused=*/true);
    for (size_t p = 0; p < parameters_.size(); ++p) {
      if (!g[p].defined()) continue;
      torch::Tensor& sum = grads_[e][p];
      sum = sum.defined() ? sum + g[p] : g[p];
    }
  }
}

void ExitGradients::writeProjectedSum(const std::vector<int64_t>& order) {
  std::vector<torch::Tensor> perExit(grads_.size());
  for (size_t p = 0; p < parameters_.size(); ++p) {
    for (size_t e = 0; e < grads_.size(); ++e) perExit[e] = grads_[e][p];
    torch::Tensor sum;
    for (const torch::Tensor& g : projectConflicts(perExit, order))
      if (g.defined()) sum = sum.defined() ? sum + g : g;
    if (sum.defined()) parameters_[p].mutable_grad() = sum;
  }
}

}  // namespace sweet
