// One-slot batch prefetcher: see batch_prefetcher.h.
#include "training/runs/batch_prefetcher.h"

#include <torch/torch.h>

namespace sweet {

BatchPrefetcher::BatchPrefetcher(Make make, bool enabled) : make_(std::move(make)), enabled_(enabled) {}

BatchPrefetcher::~BatchPrefetcher() { drop(); }

void BatchPrefetcher::drop() {
  if (!pendingIndex_) return;
  pendingIndex_.reset();
  pending_.wait();  // a batch nobody will read: its exception, if any, dies with it
  pending_ = {};
}

TrainingBatch BatchPrefetcher::take(int64_t index) {
  std::optional<TrainingBatch> batch;
  if (pendingIndex_ == index) {
    pendingIndex_.reset();
    batch = pending_.get();  // rethrows what make threw on the thread
  } else {
    drop();  // a jump (never in a run; a test may): make is not reentrant
    batch = make_(index);
  }
  if (enabled_) {
    pendingIndex_ = index + 1;
    // No autograd on the thread: batches are inputs, and grad mode is thread-local anyway.
    pending_ = std::async(std::launch::async, [this, next = index + 1] {
      torch::NoGradGuard noGrad;
      return make_(next);
    });
  }
  return std::move(*batch);
}

}  // namespace sweet
