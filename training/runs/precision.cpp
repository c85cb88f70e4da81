// Precision names: see precision.h.
#include "training/runs/precision.h"

#include <stdexcept>

namespace sweet {

Precision parsePrecision(const std::string& name, const std::string& key) {
  if (name == "auto") return Precision::Auto;
  if (name == "fp32") return Precision::Fp32;
  if (name == "tf32") return Precision::Tf32;
  if (name == "bf16") return Precision::Bf16;
  if (name == "fp16") return Precision::Fp16;
  throw std::runtime_error(key + " must be fp32, tf32, bf16, fp16 or auto (bf16 on a CUDA device that has it, else "
                                 "fp32), not '" + name + "'");
}

std::string precisionName(Precision precision) {
  switch (precision) {
    case Precision::Auto: return "auto";
    case Precision::Fp32: return "fp32";
    case Precision::Tf32: return "tf32";
    case Precision::Bf16: return "bf16";
    case Precision::Fp16: return "fp16";
  }
  return "fp32";
}

Precision recordedPrecision(const std::string& name) { return name.empty() ? Precision::Fp32 : parsePrecision(name); }

}  // namespace sweet
