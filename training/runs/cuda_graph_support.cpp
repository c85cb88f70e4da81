// Whether CUDA graphs were compiled: see cuda_graph_support.h. SWEET_CUDA_GRAPHS_BUILT is
// defined on this one file (training/CMakeLists.txt), so switching the option recompiles
// nothing else.
#include "training/runs/cuda_graph_support.h"

#include <stdexcept>

namespace sweet {

bool cudaGraphsBuiltIn() { return SWEET_CUDA_GRAPHS_BUILT != 0; }

std::string cudaGraphsMissing() {
  return "this sweet was built without CUDA graph support (libtorch without CUDA, or -DSWEET_CUDA_GRAPHS=OFF)";
}

void checkInferenceCudaGraphs(const std::string& device, bool rebatch) {
  if (device.rfind("cuda", 0) != 0)
    throw std::runtime_error("--cuda-graphs needs a CUDA device (--device is " + device +
                             "): a graph replays recorded CUDA kernels");
  if (rebatch)
    throw std::runtime_error("--cuda-graphs serves batch 1 and --rebatch gathers rows into full batches: give one");
  if (!cudaGraphsBuiltIn()) throw std::runtime_error("--cuda-graphs is not available: " + cudaGraphsMissing());
}

}  // namespace sweet
