// The training step as CUDA graphs: see cuda_graph_step.h. Compiled only against a
// libtorch with CUDA (SWEET_CUDA_GRAPHS). Written on a machine without CUDA headers and
// never compiled there: packaging/gpu-check.sh builds it, retrying without it on failure.
#include "training/runs/cuda_graph_step.h"

#include <ATen/cuda/CUDAGraph.h>
#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "training/runs/cuda_graph_capture.h"
#include "training/runs/device_scalar_adamw.h"

namespace sweet {
namespace {

using Shape = std::pair<int64_t, int64_t>;  // rows x padded length

Shape shapeOf(const TrainingBatch& batch) { return {batch.rows(), batch.input.input_ids.size(1)}; }

torch::Tensor cloneIfDefined(const torch::Tensor& t) { return t.defined() ? t.clone() : t; }

// The batch's buffers a graph reads: allocated before its capture, outside its pool.
TrainingBatch staticCopy(const TrainingBatch& batch) {
  TrainingBatch out;
  out.input = {cloneIfDefined(batch.input.input_ids), cloneIfDefined(batch.input.attention_mask),
               cloneIfDefined(batch.input.token_type_ids)};
  out.labels = cloneIfDefined(batch.labels);
  out.targets = cloneIfDefined(batch.targets);
  return out;
}

void copyInto(torch::Tensor& to, const torch::Tensor& from, const char* what) {
  if (to.defined() != from.defined())
    throw std::runtime_error(std::string("cuda_graphs: a batch's ") + what + " is " +
                             (from.defined() ? "present" : "absent") + " where the captured one's was not");
  if (to.defined()) to.copy_(from, /*non_blocking=*/true);
}

struct StepGraph {
  at::cuda::CUDAGraph graph;
  TrainingBatch inputs;          // static: each replay's batch is copied in here
  StepLossTensors losses;        // static: each replay leaves its losses here
  std::vector<size_t> updated;   // the parameters its update moves
};

}  // namespace

struct GraphedTrainStep::Impl {
  TrainingModel& t;
  const TrainConfig& c;
  bool regression;
  DeviceScalarAdamW adamw;
  c10::cuda::CUDAStream stream;
  std::map<Shape, int> seen;  // eager steps taken per shape
  std::map<Shape, std::unique_ptr<StepGraph>> graphs;
  // The parameters every step so far updated. Graphs group parameters by update count
  // (DeviceScalarAdamW); a step that updates another set would split a group, so the
  // graphs are dropped and captured again.
  std::vector<size_t> updated;

  Impl(TrainingModel& model, const TrainConfig& config, bool isRegression)
      : t(model),
        c(config),
        regression(isRegression),
        adamw(*model.optimizer),
        stream(c10::cuda::getStreamFromPool(false, model.device.index())) {}

  void noteUpdated(const std::vector<size_t>& now) {
    if (now == updated) return;
    graphs.clear();  // the last step's losses were read on the host: no replay is in flight
    updated = now;
  }

  // A step as trainStep takes it, with this run's update: the losses are read before it,
  // so a NaN step is not applied.
  PendingLosses eager(const TrainingBatch& batch, int64_t step) {
    t.optimizer->zeroGrad();
    const StepLossTensors losses = backwardStep(t, batch, c, step, regression);
    if (c.max_grad_norm > 0) clipStepGradients(t, c.max_grad_norm);
    PendingLosses pending(losses.exit, losses.lte, torch::Tensor(), false);
    if (pending.read().finite) noteUpdated(adamw.step());
    return pending;
  }

  // Records the step on static buffers, then replays it once: a capture runs nothing.
  StepLossTensors capture(const Shape& shape, const TrainingBatch& batch, int64_t step) {
    auto g = std::make_unique<StepGraph>();
    g->inputs = staticCopy(batch);
    // Gradients dropped: the captured backward writes them afresh into the graph's pool,
    // and every replay writes the same memory.
    t.optimizer->zeroGrad();
    {
      AutocastCacheOff noCache;
      // Thread-local: the batch prefetcher's thread allocates pinned memory meanwhile.
      g->graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      try {
        g->losses = backwardStep(t, g->inputs, c, step, regression);
        if (c.max_grad_norm > 0) clipStepGradients(t, c.max_grad_norm);
        g->updated = adamw.enqueueUpdate();
      } catch (const std::exception& e) {
        try {
          g->graph.capture_end();
        } catch (const std::exception&) {
          // The capture was invalidated by what failed; that failure is the one to report.
        }
        throw std::runtime_error("cuda_graphs: capturing the step for batches of " + std::to_string(shape.first) +
                                 " x " + std::to_string(shape.second) + " failed (" + e.what() +
                                 "); train without cuda_graphs");
      }
      g->graph.capture_end();
    }
    g->graph.replay();
    adamw.countReplay(g->updated);
    const StepLossTensors losses = g->losses;
    noteUpdated(g->updated);
    graphs[shape] = std::move(g);
    return losses;
  }

  StepLossTensors replay(StepGraph& g, const TrainingBatch& batch) {
    copyInto(g.inputs.input.input_ids, batch.input.input_ids, "input_ids");
    copyInto(g.inputs.input.attention_mask, batch.input.attention_mask, "attention_mask");
    copyInto(g.inputs.input.token_type_ids, batch.input.token_type_ids, "token_type_ids");
    copyInto(g.inputs.labels, batch.labels, "labels");
    copyInto(g.inputs.targets, batch.targets, "targets");
    g.graph.replay();
    adamw.countReplay(g.updated);
    return g.losses;
  }
};

GraphedTrainStep::GraphedTrainStep(TrainingModel& t, const TrainConfig& config, bool regression, bool deberta) {
  if (!t.device.is_cuda())
    throw std::runtime_error("cuda_graphs needs the model on a CUDA device (it is on " + t.device.str() + ")");
  if (deberta)
    throw std::runtime_error("cuda_graphs cannot capture a DeBERTa step: its relative positions are built on the host "
                             "and copied to the device in every forward pass; train DeBERTa without cuda_graphs");
  impl_ = std::make_unique<Impl>(t, config, regression);
}

GraphedTrainStep::~GraphedTrainStep() = default;

size_t GraphedTrainStep::graphs() const { return impl_->graphs.size(); }

PendingLosses GraphedTrainStep::run(const TrainingBatch& batch, int64_t step, double lr) {
  Impl& m = *impl_;
  StepLossTensors losses;
  {
    CaptureStreamScope side(m.stream);
    m.adamw.setLearningRate(lr);
    const Shape shape = shapeOf(batch);
    const auto found = m.graphs.find(shape);
    if (found != m.graphs.end()) {
      losses = m.replay(*found->second, batch);
    } else if (m.seen[shape] < kStepGraphWarmup || m.graphs.size() >= kMaxStepGraphs) {
      ++m.seen[shape];
      return m.eager(batch, step);
    } else {
      losses = m.capture(shape, batch, step);
    }
  }
  // Sync point: the step's one host read, on the caller's stream after the replay.
  return PendingLosses(losses.exit, losses.lte, torch::Tensor(), false);
}

}  // namespace sweet
