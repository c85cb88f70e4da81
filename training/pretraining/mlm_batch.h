// A batch for masked-language-model training: tokenized texts, masked with the rule of
// mlm_masking.h for one epoch, padded, with the masked positions and their targets picked
// out for the loss.
//
// Shapes: B = batch, T = longest text in the batch, M = masked positions in the batch.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "training/pretraining/mlm_masking.h"

namespace sweet {

struct MlmBatch {
  torch::Tensor input_ids, attention_mask, token_type_ids;  // [B, T] int64, corrupted ids
  torch::Tensor positions;  // [M] int64 flat index (row * T + column) of each masked token
  torch::Tensor targets;    // [M] int64 original id at each masked position
};

// Rows `order[begin, end)` of `texts` (token ids with [CLS] / [SEP]), masked for `epoch`
// (the row's index in `texts` picks its random stream), padded with `pad_id`.
MlmBatch makeMlmBatch(const std::vector<std::vector<int64_t>>& texts, const std::vector<int64_t>& order, size_t begin,
                      size_t end, const MaskingRule& rule, uint64_t seed, int64_t epoch, int64_t pad_id,
                      const torch::Device& device);

}  // namespace sweet
