// A one-slot batch prefetcher: while the step on batch i runs, batch i + 1 is padded and
// copied on a CPU thread, so the device does not wait for the host between steps. Batch i
// is a pure function of i (the epoch's order comes from seed and epoch), so prefetching
// changes no batch: take(i) returns exactly what make(i) returns, in any order of calls,
// from any starting index (a resumed run starts mid-epoch). On a CUDA device the thread
// makes its batch on a side stream, so the host->device copy overlaps the step's kernels
// instead of queueing behind them; take() makes the caller's stream wait for it.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/Event.h>
#include <c10/core/Stream.h>

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>

#include "training/runs/training_batch.h"

namespace sweet {

class BatchPrefetcher {
 public:
  using Make = std::function<TrainingBatch(int64_t index)>;
  // enabled = false: take() calls make on the caller's thread and starts nothing.
  // make is never called on two threads at once, so it may keep a cache (the epoch order).
  // `device`: where make puts its batches (CUDA: copied on a side stream).
  BatchPrefetcher(Make make, bool enabled, c10::Device device = c10::kCPU);
  // Waits for the batch in flight, whose error (if any) nobody asked for.
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // Batch `index`, then starts making index + 1. An exception make threw for `index`
  // (here or on the thread) reaches the caller here, with its message.
  TrainingBatch take(int64_t index);

 private:
  // A batch made on the thread; on CUDA with the event after its copies on `stream`.
  struct Made {
    TrainingBatch batch;
    std::shared_ptr<c10::Event> copied;
    std::optional<c10::Stream> stream;
  };
  void drop();  // waits for the batch in flight and forgets it
  Made makeOnThread(int64_t index) const;
  TrainingBatch ready(Made made) const;  // the caller's stream waits for the copies

  Make make_;
  bool enabled_;
  c10::Device device_;
  std::optional<int64_t> pendingIndex_;
  std::future<Made> pending_;
};

}  // namespace sweet
