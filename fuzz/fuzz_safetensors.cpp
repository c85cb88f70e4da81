// Fuzzes the safetensors header parser on a whole file's bytes (the loader maps the file and
// hands exactly these bytes over): every accepted entry must lie inside the input.
#include <cstdlib>
#include <stdexcept>

#include "training/checkpoints/safetensors_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const sweet::SafetensorsHeader h = sweet::parseSafetensorsHeader(data, size, "fuzz.safetensors");
    for (const auto& t : h.tensors)
      if (h.dataStart + t.end > size || t.begin > t.end) std::abort();  // a range the loader would map past the end
  } catch (const std::runtime_error&) {
  }
  return 0;
}
