// MLM batches: see mlm_batch.h.
#include "training/pretraining/mlm_batch.h"

#include <torch/torch.h>

#include <algorithm>

namespace sweet {

MlmBatch makeMlmBatch(const std::vector<std::vector<int64_t>>& texts, const std::vector<int64_t>& order, size_t begin,
                      size_t end, const MaskingRule& rule, uint64_t seed, int64_t epoch, int64_t padId,
                      const torch::Device& device) {
  const auto B = static_cast<int64_t>(end - begin);
  int64_t T = 0;
  for (size_t i = begin; i < end; ++i) T = std::max<int64_t>(T, static_cast<int64_t>(texts[order[i]].size()));
  std::vector<int64_t> ids(static_cast<size_t>(B * T), padId), mask(static_cast<size_t>(B * T), 0);
  std::vector<int64_t> positions, targets;
  for (int64_t b = 0; b < B; ++b) {
    const int64_t row = order[begin + static_cast<size_t>(b)];
    const MaskedSequence masked = maskSequence(texts[static_cast<size_t>(row)], rule, seed, epoch, row);
    for (size_t t = 0; t < masked.input_ids.size(); ++t) {
      const auto flat = static_cast<size_t>(b * T) + t;
      ids[flat] = masked.input_ids[t];
      mask[flat] = 1;
      if (masked.labels[t] == kIgnoredLabel) continue;
      positions.push_back(static_cast<int64_t>(flat));
      targets.push_back(masked.labels[t]);
    }
  }
  auto tensor = [&](std::vector<int64_t>& v, std::vector<int64_t> shape) {
    if (v.empty()) return torch::empty(shape, torch::TensorOptions(torch::kInt64).device(device));
    return torch::from_blob(v.data(), shape, torch::kInt64).clone().to(device);
  };
  MlmBatch batch;
  batch.input_ids = tensor(ids, {B, T});
  batch.attention_mask = tensor(mask, {B, T});
  batch.token_type_ids = torch::zeros({B, T}, torch::TensorOptions(torch::kInt64).device(device));
  batch.positions = tensor(positions, {static_cast<int64_t>(positions.size())});
  batch.targets = tensor(targets, {static_cast<int64_t>(targets.size())});
  return batch;
}

}  // namespace sweet
