// Clipping a group of parameters' gradients to a total L2 norm (torch.nn.utils.
// clip_grad_norm_), shared by the training step and bench_train_step so both pay the same.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

namespace sweet {

// On the CPU libtorch's own clip_grad_norm_ (bit for bit what runs always did). On CUDA
// the same arithmetic without its closing host read of the norm: the total norm, the
// coefficient max_norm / (norm + 1e-6) clamped to 1 and the gradients' scaling stay on
// the device, so the step does not wait for the GPU here.
void clipGradientNorm(const std::vector<at::Tensor>& parameters, double maxNorm, const c10::Device& device);

}  // namespace sweet
