// Fuzzes the Hugging Face config.json reader of a checkpoint folder.
#include <stdexcept>

#include "fuzz_input.h"
#include "training/models/bert_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = sweet::fuzz::writeInput(data, size, ".json");
  try {
    sweet::BertConfig c = sweet::loadBertConfig(path);
    c.validate(path);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
