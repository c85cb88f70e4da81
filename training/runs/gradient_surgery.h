// PCGrad between exits (Yu et al. 2020, "Gradient surgery for multi-task learning"), the
// `pcgrad` method: each exit's loss gradient is taken apart from the others (one backward
// per exit), then, parameter tensor by parameter tensor, every exit's gradient is projected
// off each other exit's gradient it conflicts with (negative dot product), in a given
// order, and the projected gradients are summed. A tensor only one exit reaches (its own
// head, the layers above every earlier exit) gets that exit's gradient unchanged: there is
// nothing to project it off.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace sweet {

// grads[e]: exit e's gradient of one parameter tensor (undefined: exit e does not reach
// it). For each defined g_i, in turn for j in `order` (j != i, g_j defined):
// if g_i' . g_j < 0 then g_i' -= (g_i' . g_j / |g_j|^2) g_j, always against the unprojected
// g_j, as the paper does. Returns the projected g_i' (undefined where g_i is). The test
// is a tensor on the gradients' device, not a host read: no sync per pair on a GPU.
std::vector<torch::Tensor> projectConflicts(const std::vector<torch::Tensor>& grads, const std::vector<int64_t>& order);

// The order of projection for one step: a permutation of the exits drawn from the CPU
// generator, which the run seeded, so a run repeats exactly (and a resume restores it).
std::vector<int64_t> projectionOrder(int64_t exits);

// Each exit's gradient of `parameters`, kept apart over the parts of a batch.
class ExitGradients {
 public:
  ExitGradients(std::vector<torch::Tensor> parameters, int64_t exits);
  // One backward per exit: exitObjectives[e] is exit e's (weighted, scaled) loss of a part.
  void add(const std::vector<torch::Tensor>& exitObjectives);
  // Sets every parameter's .grad to the sum of the exits' projected gradients (left
  // undefined where no exit reaches it).
  void writeProjectedSum(const std::vector<int64_t>& order);

 private:
  std::vector<torch::Tensor> parameters_;
  std::vector<std::vector<torch::Tensor>> grads_;  // [E][P]
};

}  // namespace sweet
