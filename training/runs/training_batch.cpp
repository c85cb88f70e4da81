// Batches of split rows: see training_batch.h.
#include "training/runs/training_batch.h"

#include <torch/torch.h>

#include <algorithm>

namespace sweet {
namespace {

// On a CUDA device through pinned memory, so the copy is a DMA the host does not wait
// for; the caching host allocator keeps the pinned buffer until the copy is done, even
// when its tensor dies first.
torch::Tensor hostToDevice(const torch::Tensor& host, const c10::Device& device) {
  if (!device.is_cuda()) return host.to(device);
  return host.pin_memory().to(device, /*non_blocking=*/true);
}

torch::Tensor longTensor(const std::vector<int64_t>& v, int64_t rows, int64_t cols, const c10::Device& device) {
  auto host = torch::from_blob(const_cast<int64_t*>(v.data()), {rows, cols}, torch::kLong);
  // clone(): from_blob only borrows the vector, and .to() is a no-op on the same device;
  // pin_memory() copies already.
  return device.is_cuda() ? hostToDevice(host, device) : host.clone().to(device);
}

// Widens every row of `b` to `length` with padding (id `pad`, mask 0, token type 0).
void widen(TokenBatch& b, int64_t length, int64_t pad) {
  if (length <= b.length) return;
  auto grow = [&](std::vector<int64_t>& v, int64_t fill) {
    std::vector<int64_t> out(static_cast<size_t>(b.batch * length), fill);
    for (int64_t r = 0; r < b.batch; ++r)
      std::copy_n(v.begin() + r * b.length, b.length, out.begin() + r * length);
    v = std::move(out);
  };
  grow(b.input_ids, pad);
  grow(b.attention_mask, 0);
  grow(b.token_type_ids, 0);
  b.length = length;
}

int64_t bucketLength(int64_t length, const BatchPadding& padding) {
  if (padding.multiple <= 1) return length;
  const int64_t rounded = (length + padding.multiple - 1) / padding.multiple * padding.multiple;
  return padding.max_length > 0 ? std::max(length, std::min(rounded, padding.max_length)) : rounded;
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
                        size_t end, bool regression, const c10::Device& device, BatchPadding padding) {
  TokenBatch b = tokenizer.pad(picked(split.encodings, order, begin, end));
  widen(b, bucketLength(b.length, padding), std::max<int64_t>(tokenizer.padId(), 0));  // as Tokenizer::pad
  TrainingBatch batch;
  batch.input = {longTensor(b.input_ids, b.batch, b.length, device), longTensor(b.attention_mask, b.batch, b.length, device),
                 longTensor(b.token_type_ids, b.batch, b.length, device)};
  batch.labels = hostToDevice(torch::tensor(picked(split.labels, order, begin, end), torch::kLong), device);
  if (regression) batch.targets = hostToDevice(torch::tensor(picked(split.targets, order, begin, end), torch::kFloat), device);
  return batch;
}

}  // namespace sweet
