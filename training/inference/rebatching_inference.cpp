// Re-batched early exiting: see rebatching_inference.h.
#include "training/inference/rebatching_inference.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "training/inference/exit_pass_joining.h"

namespace sweet {

RebatchingInference::RebatchingInference(AdaptiveInference& engine, int64_t batchSize, double threshold,
                                         const ExitTemperatures& temperatures, InferenceProfile* profile)
    : engine_(engine),
      batch_size_(batchSize),
      threshold_(threshold),
      temperatures_(temperatures),
      profile_(profile),
      queues_(static_cast<size_t>(engine.exits())) {
  checkThreshold(threshold, engine.learned());
  if (batchSize < 1)
    throw std::invalid_argument("RebatchingInference: batch size " + std::to_string(batchSize) + " < 1");
}

void RebatchingInference::push(const ModelInput& batch, const std::vector<int64_t>& instances) {
  const int64_t rows = batch.input_ids.size(0);
  if (static_cast<int64_t>(instances.size()) != rows)
    throw std::invalid_argument("RebatchingInference::push: one instance index per batch row expected");
  if (rows == 0) return;
  torch::NoGradGuard no_grad;
  Waiting w{engine_.model().beginPass(batch), {}, instances};
  for (int64_t r = 0; r < rows; ++r) w.slots.push_back(static_cast<int64_t>(out_.size()) + r);
  out_.resize(out_.size() + static_cast<size_t>(rows));
  queues_.front().rows += rows;
  queues_.front().parts.push_back(std::move(w));
  // Segment by segment: what segment e lets through is queued for e + 1 and may fill it.
  for (size_t e = 0; e < queues_.size(); ++e) runReady(e, /*flush=*/false);
}

std::vector<InstanceExit> RebatchingInference::finish() {
  torch::NoGradGuard no_grad;
  for (size_t e = 0; e < queues_.size(); ++e) runReady(e, /*flush=*/true);
  std::vector<InstanceExit> out;
  out.swap(out_);
  return out;
}

void RebatchingInference::runReady(size_t exit, bool flush) {
  Queue& queue = queues_[exit];
  while (queue.rows >= batch_size_ || (flush && queue.rows > 0)) {
    Waiting w = take(queue, std::min(queue.rows, batch_size_));
    const std::vector<int64_t> keep =
        engine_.advance(w.pass, w.slots, w.instances, threshold_, temperatures_, out_, profile_);
    if (keep.empty()) continue;
    if (exit + 1 >= queues_.size()) throw std::logic_error("RebatchingInference: rows continue past the last exit");
    if (keep.size() != w.slots.size()) {
      AdaptiveInference::compact(w.pass, keep, profile_);
      w.slots = pickRows(w.slots, keep);
      w.instances = pickRows(w.instances, keep);
    }
    Queue& next = queues_[exit + 1];
    next.rows += static_cast<int64_t>(keep.size());
    next.parts.push_back(std::move(w));
  }
}

// The first `rows` rows of the queue, oldest first, as one pass (the last part taken may
// be cut, its rest staying at the front).
RebatchingInference::Waiting RebatchingInference::take(Queue& queue, int64_t rows) {
  std::vector<ExitPass> passes;
  Waiting joined;
  for (int64_t need = rows; need > 0;) {
    Waiting& front = queue.parts.front();
    const auto have = static_cast<int64_t>(front.slots.size());
    if (have <= need) {
      passes.push_back(std::move(front.pass));
      joined.slots.insert(joined.slots.end(), front.slots.begin(), front.slots.end());
      joined.instances.insert(joined.instances.end(), front.instances.begin(), front.instances.end());
      queue.parts.pop_front();
      need -= have;
    } else {
      passes.push_back(splitFront(front.pass, need));
      joined.slots.insert(joined.slots.end(), front.slots.begin(), front.slots.begin() + need);
      joined.instances.insert(joined.instances.end(), front.instances.begin(), front.instances.begin() + need);
      front.slots.erase(front.slots.begin(), front.slots.begin() + need);
      front.instances.erase(front.instances.begin(), front.instances.begin() + need);
      need = 0;
    }
  }
  queue.rows -= rows;
  joined.pass = joinPasses(std::move(passes));
  return joined;
}

}  // namespace sweet
