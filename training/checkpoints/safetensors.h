// Reader and writer for the safetensors format (Hugging Face's pickle-free weight file):
// an 8-byte little-endian header length, a JSON header mapping names to dtype, shape and
// byte offsets, then raw little-endian tensor data. Files are memory-mapped, so loading a
// BERT-large checkpoint does not copy 1.3 GB before the weights are used.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sweet {

struct SafetensorsContents {
  // Tensors in the file's own dtype, sharing the mapping (read-only: clone before writing).
  std::map<std::string, at::Tensor> tensors;
  // The optional "__metadata__" string map.
  std::map<std::string, std::string> metadata;
  // Dtype names as written in the file, e.g. "F32", "BF16", keyed by tensor name.
  std::map<std::string, std::string> dtypes;
};

// Loads a .safetensors file. Throws std::runtime_error naming the file when it is
// truncated, its header is not valid JSON, offsets overlap or run past the end, or a dtype
// is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL are).
SafetensorsContents loadSafetensors(const std::string& path);

// Writes tensors (in their own dtype; contiguous CPU copies are made as needed) in the
// given order, with 8-byte aligned offsets, so the same input always gives the same bytes.
void saveSafetensors(const std::string& path,
                     const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                     const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// "F32" <-> at::kFloat and friends.
at::ScalarType safetensorsDtype(const std::string& name);
std::string safetensorsDtypeName(at::ScalarType type);

}  // namespace sweet
