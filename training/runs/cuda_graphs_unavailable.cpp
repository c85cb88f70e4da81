// What a build without CUDA graphs (a libtorch without CUDA, or -DSWEET_CUDA_GRAPHS=OFF)
// has in place of the capture code: GraphedTrainStep and SegmentGraphs whose constructors
// refuse, saying why. The config check and `sweet infer` refuse before they get here
// (cuda_graph_support.h); these refusals hold for any other caller.
#include <torch/torch.h>

#include <stdexcept>

#include "training/inference/cuda_graph_segments.h"
#include "training/runs/cuda_graph_step.h"
#include "training/runs/cuda_graph_support.h"

namespace sweet {

struct GraphedTrainStep::Impl {};

GraphedTrainStep::GraphedTrainStep(TrainingModel&, const TrainConfig&, bool, bool) {
  throw std::runtime_error("cuda_graphs: " + cudaGraphsMissing());
}
GraphedTrainStep::~GraphedTrainStep() = default;
PendingLosses GraphedTrainStep::run(const TrainingBatch&, int64_t, double) {
  throw std::logic_error("GraphedTrainStep::run in a build without CUDA graphs");
}
size_t GraphedTrainStep::graphs() const { return 0; }

struct SegmentGraphs::Impl {};

SegmentGraphs::SegmentGraphs(int64_t, const c10::Device&, bool, Segment, LastExit) {
  throw std::runtime_error("--cuda-graphs: " + cudaGraphsMissing());
}
SegmentGraphs::~SegmentGraphs() = default;
torch::Tensor SegmentGraphs::decisionInputs(ExitPass&) {
  throw std::logic_error("SegmentGraphs::decisionInputs in a build without CUDA graphs");
}
torch::Tensor SegmentGraphs::lastExitLogits(const ModelInput&) {
  throw std::logic_error("SegmentGraphs::lastExitLogits in a build without CUDA graphs");
}
size_t SegmentGraphs::lengths() const { return 0; }

}  // namespace sweet
