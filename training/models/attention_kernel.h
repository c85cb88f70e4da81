// Which attention computation the encoders run: the explicit one (scores, softmax and the
// weighted sum as separate ops; the only one libtorch 1.13, Debian's, has) or
// at::scaled_dot_product_attention (libtorch >= 2.0: flash / memory-efficient kernels on
// CUDA that never store the [B, A, T, T] probabilities). Chosen at compile time by what
// the libtorch offers, and at run time by the config key `attention`.
#pragma once

#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/version.h>

#include <string>

// SWEET_DISABLE_SDPA: the CMake option SWEET_FUSED_ATTENTION=OFF.
#if TORCH_VERSION_MAJOR >= 2 && !defined(SWEET_DISABLE_SDPA)
#define SWEET_SDPA_COMPILED 1
#else
#define SWEET_SDPA_COMPILED 0
#endif
#if SWEET_SDPA_COMPILED && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1))
#define SWEET_SDPA_SCALE_COMPILED 1
#else
#define SWEET_SDPA_SCALE_COMPILED 0
#endif

namespace sweet {

enum class AttentionKernel { Explicit, Sdpa };

// BERT needs libtorch >= 2.0; DeBERTa also the `scale` argument (2.1), since its scores
// carry 1/sqrt(D * (1 + relative terms)), not SDPA's default 1/sqrt(D).
bool sdpaCompiled();
bool sdpaScaleCompiled();

// "auto" (SDPA on CUDA where compiled, else explicit: CPU results stay those of the
// explicit path whatever the libtorch), "explicit" or "sdpa". Throws naming `key` for
// another value, and for "sdpa" on a libtorch without it (saying which it is).
AttentionKernel resolveAttentionKernel(const std::string& choice, const c10::Device& device,
                                       const std::string& key = "attention");

// Sets the kernel of every BERT and DeBERTa self-attention inside `model` (a backbone, an
// exit classifier, an MM with several backbones). Parameters and results (up to rounding)
// are the same either way; a DeBERTa on a libtorch without `scale` stays explicit.
// Returns the kernel the attentions now run: Sdpa where any runs fused, else Explicit.
AttentionKernel useAttentionKernel(torch::nn::Module& model, AttentionKernel kernel);

// "explicit" or "sdpa", as the config key and the run file's environment spell them.
std::string attentionKernelName(AttentionKernel kernel);

}  // namespace sweet
