// A one-slot batch prefetcher: while the step on batch i runs, batch i + 1 is padded and
// copied on a CPU thread, so the device does not wait for the host between steps. Batch i
// is a pure function of i (the epoch's order comes from seed and epoch), so prefetching
// changes no batch: take(i) returns exactly what make(i) returns, in any order of calls,
// from any starting index (a resumed run starts mid-epoch).
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <optional>

#include "training/runs/training_batch.h"

namespace sweet {

class BatchPrefetcher {
 public:
  using Make = std::function<TrainingBatch(int64_t index)>;
  // enabled = false: take() calls make on the caller's thread and starts nothing.
  // make is never called on two threads at once, so it may keep a cache (the epoch order).
  BatchPrefetcher(Make make, bool enabled);
  // Waits for the batch in flight, whose error (if any) nobody asked for.
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // Batch `index`, then starts making index + 1. An exception make threw for `index`
  // (here or on the thread) reaches the caller here, with its message.
  TrainingBatch take(int64_t index);

 private:
  void drop();  // waits for the batch in flight and forgets it

  Make make_;
  bool enabled_;
  std::optional<int64_t> pendingIndex_;
  std::future<TrainingBatch> pending_;
};

}  // namespace sweet
