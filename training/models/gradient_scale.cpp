// Gradient-scaling identity: see gradient_scale.h.
#include "training/models/gradient_scale.h"

#include <torch/torch.h>

namespace sweet {
namespace {

struct ScaleGradient : public torch::autograd::Function<ScaleGradient> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double scale) {
    ctx->saved_data["scale"] = scale;
    return x.view_as(x);  // the same values: the forward pass is untouched
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    return {grads[0] * ctx->saved_data["scale"].toDouble(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor scaleGradient(const torch::Tensor& x, double scale) { return ScaleGradient::apply(x, scale); }

}  // namespace sweet
