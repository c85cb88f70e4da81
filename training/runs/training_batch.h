// A batch of split rows as device tensors: the padded model input [B, T] and what each row
// is scored against ([B] class ids, or [B] float targets for regression).
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

#include "training/models/exit_classifier.h"
#include "training/runs/data_split.h"

namespace sweet {

struct TrainingBatch {
  ModelInput input;       // input_ids, attention_mask, token_type_ids: [B, T] int64
  torch::Tensor labels;   // [B] int64
  torch::Tensor targets;  // [B] float32 (regression), else undefined
  int64_t rows() const { return input.input_ids.size(0); }
  // Rows [first, first + n): a micro-batch of this batch (views, no copies).
  TrainingBatch slice(int64_t first, int64_t n) const;
};

// Rows order[begin..end) of `split`, padded to the longest of them.
TrainingBatch makeBatch(const Tokenizer& tokenizer, const Split& split, const std::vector<int64_t>& order, size_t begin,
                        size_t end, bool regression, const c10::Device& device);

}  // namespace sweet
