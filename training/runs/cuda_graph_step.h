// The training step captured as a CUDA graph (config key cuda_graphs): forward, losses,
// backward, clipping and the AdamW update of one batch shape recorded once and replayed
// for every later batch of that shape, so a step costs one graph launch instead of
// ~1,500 kernel launches; at batch 32 a BERT-base step on a GPU is bound by those
// launches (../shared/notes/gpu.md). The update is DeviceScalarAdamW's (its scalars live
// on the device, so replays bias-correct each step); every step of a cuda_graphs run
// uses it, eager or replayed, so the run has one update formula.
// Compiled only against a libtorch with CUDA (cuda_graph_step.cpp); a build without one
// has cuda_graphs_unavailable.cpp, whose constructor refuses, saying so. The capture code
// has never been compiled where it was written: packaging/gpu-check.sh builds it first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "training/runs/train_step.h"

namespace sweet {

// Shapes (rows x padded length) that get a graph of their own; a step of any further shape
// runs eagerly. Each graph keeps its shape's activations in a private memory pool, so
// pad_to_multiple_of (a few length buckets) is what makes graphs pay.
constexpr size_t kMaxStepGraphs = 8;
// Eager steps of a shape before it is captured (PyTorch's advice: warm up on the capture
// stream, so lazy initialisation such as cuBLAS workspaces happens outside the graph).
// They are real training steps, not extra ones.
constexpr int kStepGraphWarmup = 3;

class GraphedTrainStep {
 public:
  // Built after a resume's restore (graphs record the addresses of the tensors they
  // touch, so they are made after the last copy into them). Throws in a build without
  // CUDA graphs, for a model that is not on CUDA, and for DeBERTa, whose relative
  // positions are copied from the host in every forward pass (a copy a graph cannot hold).
  GraphedTrainStep(TrainingModel& t, const TrainConfig& config, bool regression, bool deberta);
  ~GraphedTrainStep();
  GraphedTrainStep(const GraphedTrainStep&) = delete;
  GraphedTrainStep& operator=(const GraphedTrainStep&) = delete;

  // trainStep's contract (train_step.h), one host read of the losses per step. One
  // difference: a replayed step applies its update before its losses are read, so the
  // in-memory weights after a NaN step are updated; the run fails there as before and
  // never saves them.
  // Read at once (loss_read does not apply: the next replay reuses the losses' memory).
  PendingLosses run(const TrainingBatch& batch, int64_t step, double lr);
  size_t graphs() const;  // captured so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sweet
