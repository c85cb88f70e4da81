// Device and thread selection: see device.h.
#include "training/runs/device.h"

#include <torch/torch.h>

#include <stdexcept>
#include <thread>

namespace sweet {

c10::Device parseDevice(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw std::runtime_error("--device " + name +
                               ": this libtorch has no usable CUDA device (Debian's libtorch is "
                               "CPU-only; build with Torch_DIR pointing at a CUDA libtorch)");
    return c10::Device(name);
  }
  throw std::runtime_error("unknown device '" + name + "' (use cpu, cuda or cuda:N)");
}

int configureThreads(int64_t threads, const std::string& key) {
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  // More threads than cores only adds contention, and a typo (100000) spawned 31,979
  // threads that hung for minutes and ignored SIGTERM: four per core leaves room for
  // hyper-threads and oversubscription experiments.
  if (threads < 0 || threads > cores * kThreadsPerCore)
    throw std::runtime_error(key + " " + std::to_string(threads) + ": this machine has " + std::to_string(cores) +
                             " cores; use 1.." + std::to_string(cores * kThreadsPerCore) + " (" +
                             std::to_string(kThreadsPerCore) + " per core at most), or 0 for one per core");
  const int count = static_cast<int>(threads == 0 ? cores : threads);
  at::set_num_threads(count);
  return count;
}

std::string libtorchVersion() { return TORCH_VERSION; }

}  // namespace sweet
