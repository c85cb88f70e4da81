// Fuzzes the model.safetensors.index.json reader: every shard it returns must be a plain
// file name in the checkpoint folder.
#include <cstdlib>
#include <stdexcept>

#include "fuzz_input.h"
#include "training/checkpoints/safetensors_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = sweet::fuzz::writeInput(data, size, ".index.json");
  try {
    for (const std::string& shard : sweet::safetensorsIndexShards(path))
      if (shard.empty() || shard.find('/') != std::string::npos || shard == "..") std::abort();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
