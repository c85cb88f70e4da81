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

// Length buckets: the longest row rounded up to a multiple, so a GPU sees a few repeated
// shapes (cached kernels and allocations) instead of one per batch. Padded keys are
// masked, so the logits change only in the last bits (softmax sums over more zeros).
struct BatchPadding {
  int64_t multiple = 0;    // 0 (or 1): pad to the longest row only
  int64_t max_length = 0;  // > 0: never pad past this (the model's position table ends there)
};

// Rows order[begin..end) of `split`, padded to the longest of them (or its bucket). On a
// CUDA device the host tensors are pinned and copied without blocking: the copy overlaps
// whatever the device is running, and the stream orders it before the step that reads it.
TrainingBatch makeBatch(const Tokenizer& tokenizer, const Split& split, const std::vector<int64_t>& order, size_t begin,
                        size_t end, bool regression, const c10::Device& device, BatchPadding padding = {});

}  // namespace sweet
