// One-slot batch prefetcher: see batch_prefetcher.h.
#include "training/runs/batch_prefetcher.h"

#include <c10/core/StreamGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/torch.h>

namespace sweet {

BatchPrefetcher::BatchPrefetcher(Make make, bool enabled, c10::Device device)
    : make_(std::move(make)), enabled_(enabled), device_(device) {}

BatchPrefetcher::~BatchPrefetcher() { drop(); }

void BatchPrefetcher::drop() {
  if (!pendingIndex_) return;
  pendingIndex_.reset();
  pending_.wait();  // a batch nobody will read: its exception, if any, dies with it
  pending_ = {};
}

// No autograd on the thread: batches are inputs, and grad mode is thread-local anyway.
BatchPrefetcher::Made BatchPrefetcher::makeOnThread(int64_t index) const {
  torch::NoGradGuard noGrad;
  if (!device_.is_cuda()) return {make_(index), nullptr, std::nullopt};
  const c10::Stream side = c10::impl::getDeviceGuardImpl(device_.type())->getStreamFromGlobalPool(device_);
  const c10::StreamGuard onSide(side);  // the thread's current stream: make's copies go there
  Made made{make_(index), std::make_shared<c10::Event>(device_.type()), side};
  made.copied->record(side);
  return made;
}

// The tensors were allocated on the side stream: recorded on the caller's stream too, so
// the caching allocator does not hand their memory out again before the step using them
// is done.
TrainingBatch BatchPrefetcher::ready(Made made) const {
  if (!made.copied) return std::move(made.batch);
  const auto* impl = c10::impl::getDeviceGuardImpl(device_.type());
  const c10::Stream current = impl->getStream(device_);
  made.copied->block(current);
  const TrainingBatch& b = made.batch;
  for (const torch::Tensor* t : {&b.input.input_ids, &b.input.attention_mask, &b.input.token_type_ids, &b.labels, &b.targets})
    if (t->defined()) impl->recordDataPtrOnStream(t->storage().data_ptr(), current);
  return std::move(made.batch);
}

TrainingBatch BatchPrefetcher::take(int64_t index) {
  std::optional<TrainingBatch> batch;
  if (pendingIndex_ == index) {
    pendingIndex_.reset();
    batch = ready(pending_.get());  // rethrows what make threw on the thread
  } else {
    drop();  // a jump (never in a run; a test may): make is not reentrant
    batch = make_(index);
  }
  if (enabled_) {
    pendingIndex_ = index + 1;
    pending_ = std::async(std::launch::async, [this, next = index + 1] { return makeOnThread(next); });
  }
  return std::move(*batch);
}

}  // namespace sweet
