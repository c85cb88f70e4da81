// Batches of split rows: see training_batch.h.
#include "training/runs/training_batch.h"

#include <torch/torch.h>

namespace sweet {
namespace {

torch::Tensor longTensor(const std::vector<int64_t>& v, int64_t rows, int64_t cols, const c10::Device& device) {
  // clone(): from_blob only borrows the vector, and .to() is a no-op on the same device.
  return torch::from_blob(const_cast<int64_t*>(v.data()), {rows, cols}, torch::kLong).clone().to(device);
}

template <typename T>
std::vector<T> picked(const std::vector<T>& values, const std::vector<int64_t>& order, size_t begin, size_t end) {
  std::vector<T> out;
  for (size_t i = begin; i < end; ++i) out.push_back(values[static_cast<size_t>(order[i])]);
  return out;
}

}  // namespace

TrainingBatch TrainingBatch::slice(int64_t first, int64_t n) const {
  return {{input.input_ids.narrow(0, first, n), input.attention_mask.narrow(0, first, n),
           input.token_type_ids.narrow(0, first, n)},
          labels.narrow(0, first, n),
          targets.defined() ? targets.narrow(0, first, n) : targets};
}

TrainingBatch makeBatch(const Tokenizer& tokenizer, const Split& split, const std::vector<int64_t>& order, size_t begin,
                        size_t end, bool regression, const c10::Device& device) {
  const TokenBatch b = tokenizer.pad(picked(split.encodings, order, begin, end));
  TrainingBatch batch;
  batch.input = {longTensor(b.input_ids, b.batch, b.length, device), longTensor(b.attention_mask, b.batch, b.length, device),
                 longTensor(b.token_type_ids, b.batch, b.length, device)};
  batch.labels = torch::tensor(picked(split.labels, order, begin, end), torch::kLong).to(device);
  if (regression) batch.targets = torch::tensor(picked(split.targets, order, begin, end), torch::kFloat).to(device);
  return batch;
}

}  // namespace sweet
