// Fuzzes the training configuration reader (JSON file, then --set overrides): bad input
// must end in one std::runtime_error naming the key, never a crash or an escaping
// nlohmann exception.
#include <stdexcept>
#include <string>

#include "fuzz_input.h"
#include "training/runs/train_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // After a NUL: one --set assignment applied on top of the file.
  const size_t nul = text.find('\0');
  const std::string path = sweet::fuzz::writeInput(data, nul == std::string::npos ? size : nul, ".json");
  try {
    sweet::TrainConfig c = sweet::loadTrainConfig(path);
    if (nul != std::string::npos) {
      nlohmann::json j = sweet::trainConfigToJson(c);
      const std::string assignment = text.substr(nul + 1);
      sweet::applyOverride(j, assignment);
      sweet::trainConfigFromJson(j, path, {assignment});
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
