// Early exiting with re-batching: the instances that continue past exit k from several
// input batches are gathered into full batches before segment k+1 runs (a queue of
// pending passes per segment), so every segment runs `batch_size` rows except the
// remainders flushed at the end. On a GPU a layer costs about the same for 5 rows as for
// 32 while kernel launches dominate, so plain early exiting (the batch shrinks exit by
// exit) saves little there; full batches turn the exits into fewer launches. For MM the
// queue between members holds token ids, since each member embeds again.
// Exits and predictions equal plain early exiting's (AdaptiveInference::run): rows joined
// from batches of different lengths are padded with masked tokens (exit_pass_joining.h).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "training/inference/adaptive_inference.h"

namespace sweet {

class RebatchingInference {
 public:
  // `engine` is borrowed. Throws for a threshold outside (0, 1] or a batch size below 1.
  RebatchingInference(AdaptiveInference& engine, int64_t batchSize, double threshold,
                      const ExitTemperatures& temperatures, InferenceProfile* profile = nullptr);

  // Queues one padded batch (any number of rows; `instances` as for AdaptiveInference::run)
  // and runs every segment whose queue now holds a full batch.
  void push(const ModelInput& batch, const std::vector<int64_t>& instances);

  // Runs what is still queued, segment by segment (the last batches may be partial), and
  // returns one InstanceExit per row pushed, in the order pushed. The engine is then empty
  // and can take new batches.
  std::vector<InstanceExit> finish();

 private:
  struct Waiting {
    ExitPass pass;
    std::vector<int64_t> slots;      // index of each row in out_
    std::vector<int64_t> instances;  // its data-set index (temperatures)
  };
  struct Queue {
    std::deque<Waiting> parts;
    int64_t rows = 0;
  };

  void runReady(size_t exit, bool flush);
  Waiting take(Queue& queue, int64_t rows);

  AdaptiveInference& engine_;
  int64_t batch_size_;
  double threshold_;
  ExitTemperatures temperatures_;
  InferenceProfile* profile_;
  std::vector<Queue> queues_;  // one per exit: rows waiting for that exit's segment
  std::vector<InstanceExit> out_;
};

}  // namespace sweet
