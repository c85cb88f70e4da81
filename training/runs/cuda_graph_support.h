// Whether this build can capture CUDA graphs (CMake option SWEET_CUDA_GRAPHS), asked
// without libtorch: the config check (train_config.cpp) and `sweet infer` refuse
// cuda_graphs up front in a build that lacks them, before any model is loaded.
#pragma once

#include <string>

namespace sweet {

// True when the capture code (cuda_graph_step.cpp, cuda_graph_segments.cpp) was compiled:
// a build against a libtorch with CUDA, unless -DSWEET_CUDA_GRAPHS=OFF.
bool cudaGraphsBuiltIn();

// The words every refusal in a build without them uses.
std::string cudaGraphsMissing();

// `sweet infer --cuda-graphs` on `device` (a --device value): throws, naming the option,
// on a device that is not CUDA, beside --rebatch (which gathers rows into full batches
// where the graphs serve batch 1), and in a build without CUDA graphs.
void checkInferenceCudaGraphs(const std::string& device, bool rebatch);

}  // namespace sweet
