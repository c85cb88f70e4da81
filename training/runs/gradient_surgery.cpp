// PCGrad between exits: see gradient_surgery.h.
#include "training/runs/gradient_surgery.h"

#include <torch/torch.h>

namespace sweet {

std::vector<torch::Tensor> projectConflicts(const std::vector<torch::Tensor>& grads, const std::vector<int64_t>& order) {
  std::vector<torch::Tensor> projected(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    torch::Tensor g = grads[i].clone();
    for (int64_t j : order) {
      const torch::Tensor& other = grads[static_cast<size_t>(j)];
      if (static_cast<size_t>(j) == i || !other.defined()) continue;
      // A host read per pair: the branch is the method (a GPU run pays E^2 syncs per tensor).
      const double dot = (g * other).sum().item<double>();
      if (dot < 0) g = g - (dot / (other * other).sum().item<double>()) * other;
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
