// Precision on a device: see autocast_scope.h.
#include "training/runs/autocast_scope.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <stdexcept>

// libtorch 2.4 replaced the per-device autocast functions (is_enabled for CUDA,
// is_cpu_enabled, ...) by ones taking the device type; the old ones warn there.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SWEET_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace sweet {
namespace {

bool autocastEnabled(c10::DeviceType type) {
#ifdef SWEET_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void setAutocastEnabled(c10::DeviceType type, bool enabled) {
#ifdef SWEET_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(type, enabled);
#else
  if (type == c10::DeviceType::CUDA) at::autocast::set_enabled(enabled);
  else at::autocast::set_cpu_enabled(enabled);
#endif
}

c10::ScalarType autocastType(c10::DeviceType type) {
#ifdef SWEET_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void setAutocastType(c10::DeviceType type, c10::ScalarType scalarType) {
#ifdef SWEET_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(type, scalarType);
#else
  if (type == c10::DeviceType::CUDA) at::autocast::set_autocast_gpu_dtype(scalarType);
  else at::autocast::set_autocast_cpu_dtype(scalarType);
#endif
}

}  // namespace

Precision resolvePrecision(Precision requested, const c10::Device& device, const std::string& key) {
  const bool cuda = device.is_cuda();
  switch (requested) {
    case Precision::Auto:
      // The cuDNN hook answers "compute capability 8 or newer", which is where bf16 has
      // tensor cores; older GPUs emulate it slower than fp32.
      return cuda && at::detail::getCUDAHooks().supportsBFloat16ConvolutionWithCuDNNv8() ? Precision::Bf16
                                                                                          : Precision::Fp32;
    case Precision::Tf32: return cuda ? Precision::Tf32 : Precision::Fp32;
    case Precision::Fp16:
      if (!cuda)
        throw std::runtime_error(key + " fp16 runs on CUDA only (device is " + device.str() +
                                 "); use bf16 or fp32 on the CPU");
      return Precision::Fp16;
    default: return requested;
  }
}

MatmulPrecisionScope::MatmulPrecisionScope(Precision precision, const c10::Device& device)
    : active_(precision == Precision::Tf32 && device.is_cuda()) {
  if (!active_) return;
  auto& context = at::globalContext();
  cublas_ = context.allowTF32CuBLAS();
  cudnn_ = context.allowTF32CuDNN();
  context.setAllowTF32CuBLAS(true);
  context.setAllowTF32CuDNN(true);
}

MatmulPrecisionScope::~MatmulPrecisionScope() {
  if (!active_) return;
  auto& context = at::globalContext();
  context.setAllowTF32CuBLAS(cublas_);
  context.setAllowTF32CuDNN(cudnn_);
}

AutocastScope::AutocastScope(Precision precision, const c10::Device& device)
    : active_(precision == Precision::Bf16 || precision == Precision::Fp16), type_(device.type()) {
  if (!active_) return;
  wasEnabled_ = autocastEnabled(type_);
  previousType_ = autocastType(type_);
  setAutocastEnabled(type_, true);
  setAutocastType(type_, precision == Precision::Bf16 ? c10::ScalarType::BFloat16 : c10::ScalarType::Half);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The cache holds each weight's cast copy for the scope's lifetime; the outermost scope
  // drops them, as torch.autocast's exit does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  setAutocastEnabled(type_, wasEnabled_);
  setAutocastType(type_, previousType_);
}

}  // namespace sweet
