// What a precision does on a device: which one `auto` becomes, TF32 matmuls for a tf32 run
// on CUDA, and autocast of the forward passes for bf16 and fp16 (the parameters, their
// gradients and the optimiser state stay fp32: autocast casts a copy of each weight for
// the matmuls that read it). See precision.h for the names.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

#include "training/runs/precision.h"

namespace sweet {

// The precision `requested` runs in on `device`. auto: bf16 on a CUDA device with bf16
// tensor cores (compute capability 8 or newer), else fp32 (CPU bf16 is emulated and
// slower than fp32 on most CPUs, so a CPU run asks for it by name). tf32 on the CPU is
// fp32: there are no TF32 units there. Throws naming `key` for fp16 off CUDA.
Precision resolvePrecision(Precision requested, const c10::Device& device, const std::string& key = "precision");

// TF32 matmuls and convolutions on for a tf32 run on CUDA while it lives, the previous
// (process-wide) settings back afterwards; nothing for any other precision or device.
class MatmulPrecisionScope {
 public:
  MatmulPrecisionScope(Precision precision, const c10::Device& device);
  ~MatmulPrecisionScope();
  MatmulPrecisionScope(const MatmulPrecisionScope&) = delete;
  MatmulPrecisionScope& operator=(const MatmulPrecisionScope&) = delete;

 private:
  bool active_ = false;
  bool cublas_ = false, cudnn_ = false;
};

// Autocast on the calling thread (autocast state is thread-local) for bf16 and fp16 on
// `device`, nothing for fp32 and tf32. Wrap the forward pass and the losses, not the
// backward (as torch.autocast is used). On leaving, the previous state comes back and
// the cast-weight cache is cleared, so the next step casts the updated weights.
class AutocastScope {
 public:
  AutocastScope(Precision precision, const c10::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_ = c10::DeviceType::CPU;
  bool wasEnabled_ = false;
  c10::ScalarType previousType_ = c10::ScalarType::Float;
};

}  // namespace sweet
