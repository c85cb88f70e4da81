// Choosing where tensors live and how many CPU threads libtorch uses: one place that turns
// "--device cuda" into a torch::Device with a clear message when CUDA is not available.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

namespace sweet {

// "cpu", "cuda" or "cuda:N". Throws when CUDA is asked for but this libtorch has none.
c10::Device parseDevice(const std::string& name);

constexpr int64_t kThreadsPerCore = 4;

// Sets libtorch's intra-op threads for the calling thread (it defaults to 1 on Debian's
// build). threads = 0 means one per hardware core. Returns the number set. Throws, naming
// `key` (the config key or option), outside 0..kThreadsPerCore x cores.
int configureThreads(int64_t threads, const std::string& key = "threads");

std::string libtorchVersion();

}  // namespace sweet
