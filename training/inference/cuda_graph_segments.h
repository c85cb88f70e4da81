// Batch-1 early exiting as CUDA graphs (`sweet infer --cuda-graphs`): for each padded
// length, each exit's segment (embeddings when due, the layers up to the exit, its head
// and the decision inputs) is captured once and replayed per instance, and so is the pass
// without exiting that --measure divides by. At batch 1 a GPU layer is all launch
// overhead; a replay launches a segment's kernels as one. The graphs replay the kernels
// the eager pass runs, on the same inputs, so the exits and predictions are the eager
// ones. Compiled only against a libtorch with CUDA (cuda_graph_segments.cpp; never
// compiled where it was written, see packaging/gpu-check.sh); elsewhere the constructor
// refuses, saying so (training/runs/cuda_graphs_unavailable.cpp).
#pragma once

#include <c10/core/Device.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "training/models/exit_classifier.h"

namespace sweet {

// Padded lengths that get graphs; an instance of any further length runs eagerly.
constexpr size_t kMaxSegmentGraphLengths = 256;

class SegmentGraphs {
 public:
  // What is captured: one exit's segment on a pass (returns its decision inputs and moves
  // pass.next_exit on), and the pass without exiting (returns the last exit's logits).
  using Segment = std::function<torch::Tensor(ExitPass&)>;
  using LastExit = std::function<torch::Tensor(const ModelInput&)>;
  // Throws in a build without CUDA graphs, for a device that is not CUDA, and for DeBERTa
  // (its relative positions are copied from the host in every forward pass).
  SegmentGraphs(int64_t exits, const c10::Device& device, bool deberta, Segment segment, LastExit lastExit);
  ~SegmentGraphs();
  SegmentGraphs(const SegmentGraphs&) = delete;
  SegmentGraphs& operator=(const SegmentGraphs&) = delete;

  // Exit pass.next_exit's decision inputs for a one-row pass, replayed (the length's graphs
  // are captured at its first instance), with next_exit moved on; undefined when this
  // instance runs eagerly (too many lengths), which the caller then does from this exit
  // on. The tensor is the graph's own output: read it before the next replay.
  torch::Tensor decisionInputs(ExitPass& pass);
  // The pass without exiting of a one-row batch, replayed; undefined as above.
  torch::Tensor lastExitLogits(const ModelInput& batch);
  size_t lengths() const;  // lengths captured so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sweet
