// The arithmetic a run trains and infers in (config key `precision`, `sweet infer
// --precision`): fp32; tf32 (fp32 tensors, TF32 matmuls on CUDA); bf16 and fp16 autocast
// (fp32 master weights and optimiser state; fp16 with dynamic loss scaling); auto. The
// names only, torch-free, so the configuration can check them; what each does on a device
// is in autocast_scope.h.
#pragma once

#include <string>

namespace sweet {

enum class Precision { Auto, Fp32, Tf32, Bf16, Fp16 };

// "auto", "fp32", "tf32", "bf16" or "fp16". Throws std::runtime_error naming `key` (the
// config key or option the value came from) and the accepted values.
Precision parsePrecision(const std::string& name, const std::string& key = "precision");
std::string precisionName(Precision precision);

// The precision a run file or checkpoint recorded; one written before precisions existed
// (no value) trained in fp32.
Precision recordedPrecision(const std::string& name);

}  // namespace sweet
