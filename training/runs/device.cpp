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

int configureThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  return threads;
}

std::string libtorchVersion() { return TORCH_VERSION; }

}  // namespace sweet
