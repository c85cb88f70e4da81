// Learning-to-exit heads: see lte_heads.h.
#include "training/models/lte_heads.h"

#include <torch/torch.h>

#include "training/checkpoints/safetensors.h"
#include "training/checkpoints/state_dict.h"

namespace sweet {

LteHeadsImpl::LteHeadsImpl(int64_t hiddenSize, int64_t exits, bool sharedHead) : shared(sharedHead) {
  heads = register_module("lte", torch::nn::ModuleList());
  for (int64_t e = 0; e < (shared ? 1 : exits); ++e) heads->push_back(torch::nn::Linear(hiddenSize, 1));
}

torch::Tensor LteHeadsImpl::score(int64_t exit, const torch::Tensor& hidden) {
  // [B, H]: pooled features as they are, or the first token of a hidden state.
  auto cls = hidden.dim() == 2 ? hidden : hidden.select(1, 0);
  const auto head = static_cast<size_t>(shared ? 0 : exit);
  return torch::sigmoid(heads->ptr<torch::nn::LinearImpl>(head)->forward(cls)).squeeze(-1);  // [B]
}

torch::Tensor lteTarget(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& targets,
                        bool regression) {
  auto out = logits.detach();
  if (regression) return 1 - torch::tanh((out.squeeze(-1) - targets).abs());
  return out.argmax(-1).eq(labels).to(torch::kFloat);
}

void saveLteHeads(LteHeadsImpl& heads, const std::string& path) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& p : heads.named_parameters()) tensors.emplace_back(p.key(), p.value().detach().to(torch::kCPU, torch::kFloat));
  saveSafetensors(path, tensors);
}

LteHeads loadLteHeads(const std::string& path, int64_t hiddenSize, int64_t exits) {
  const SafetensorsContents contents = loadSafetensors(path);
  const bool shared = exits > 1 && !contents.tensors.count("lte.1.weight");
  LteHeads heads(hiddenSize, exits, shared);
  loadStateDict(*heads, contents.tensors, path);
  heads->eval();
  return heads;
}

}  // namespace sweet
