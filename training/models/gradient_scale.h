// A gradient-scaling identity: the forward pass returns its input unchanged, the backward
// pass multiplies the incoming gradient by a constant. Between EE (scale 1) and SWEET's cut
// (scale 0) at an exit boundary, it sets how much of the later exits' gradient reaches the
// layers below (issue 25's partial cut, `sweet_alpha`).
#pragma once

#include <torch/types.h>

namespace sweet {

// [any shape] -> the same values; d/dx is `scale` x the gradient that arrives.
torch::Tensor scaleGradient(const torch::Tensor& x, double scale);

}  // namespace sweet
