// Attention kernel selection: see attention_kernel.h.
#include "training/models/attention_kernel.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>

#include "training/models/bert_model.h"
#include "training/models/deberta_model.h"

namespace sweet {

bool sdpaCompiled() { return SWEET_SDPA_COMPILED; }
bool sdpaScaleCompiled() { return SWEET_SDPA_SCALE_COMPILED; }

AttentionKernel resolveAttentionKernel(const std::string& choice, const c10::Device& device, const std::string& key) {
  if (choice == "explicit") return AttentionKernel::Explicit;
  if (choice == "auto") return sdpaCompiled() && device.is_cuda() ? AttentionKernel::Sdpa : AttentionKernel::Explicit;
  if (choice != "sdpa") throw std::runtime_error(key + " must be auto, explicit or sdpa, not '" + choice + "'");
  if (!sdpaCompiled())
    throw std::runtime_error(key + " sdpa needs libtorch 2.0 or newer (at::scaled_dot_product_attention); this build "
                             "uses libtorch " TORCH_VERSION ": use auto or explicit");
  return AttentionKernel::Sdpa;
}

AttentionKernel useAttentionKernel(torch::nn::Module& model, AttentionKernel kernel) {
  const bool fused = kernel == AttentionKernel::Sdpa;
  bool anyFused = false;
  for (const auto& m : model.modules(/*include_self=*/true)) {
    if (auto* bert = m->as<BertSelfAttentionImpl>()) anyFused |= bert->fused = fused && sdpaCompiled();
    if (auto* deberta = m->as<DisentangledSelfAttentionImpl>()) anyFused |= deberta->fused = fused && sdpaScaleCompiled();
  }
  return anyFused ? AttentionKernel::Sdpa : AttentionKernel::Explicit;
}

std::string attentionKernelName(AttentionKernel kernel) { return kernel == AttentionKernel::Sdpa ? "sdpa" : "explicit"; }

}  // namespace sweet
