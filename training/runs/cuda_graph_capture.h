// What both CUDA-graph captures share (cuda_graph_step.cpp, cuda_graph_segments.cpp): a
// side stream to warm up and capture on, and autocast's cache off while capturing. CUDA
// headers: include it from those two files only.
#pragma once

#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <optional>

namespace sweet {

// Work moved onto a side stream for its scope: eager passes that warm a shape up must run
// where its capture will (PyTorch's rule), and a capture must not be on the default
// stream. The side stream starts after what the caller's stream queued (a batch's copy)
// and the caller's stream continues after the scope's work.
class CaptureStreamScope {
 public:
  explicit CaptureStreamScope(const c10::cuda::CUDAStream& side)
      : caller_(c10::cuda::getCurrentCUDAStream(side.device_index())), side_(side) {
    at::cuda::CUDAEvent queued;
    queued.record(caller_);
    queued.block(side_);
    guard_.emplace(side_);
  }
  ~CaptureStreamScope() {
    guard_.reset();
    at::cuda::CUDAEvent done;
    done.record(side_);
    done.block(caller_);
  }
  CaptureStreamScope(const CaptureStreamScope&) = delete;
  CaptureStreamScope& operator=(const CaptureStreamScope&) = delete;

 private:
  c10::cuda::CUDAStream caller_, side_;
  std::optional<c10::cuda::CUDAStreamGuard> guard_;
};

// Autocast's cache of cast weights off while capturing: a cast cached across the capture's
// boundary would be a tensor the graph reads but does not own (torch.cuda.graphs'
// advice: cache_enabled=False).
class AutocastCacheOff {
 public:
  AutocastCacheOff() : was_(at::autocast::is_autocast_cache_enabled()) { at::autocast::set_autocast_cache_enabled(false); }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(was_); }
  AutocastCacheOff(const AutocastCacheOff&) = delete;
  AutocastCacheOff& operator=(const AutocastCacheOff&) = delete;

 private:
  bool was_;
};

}  // namespace sweet
