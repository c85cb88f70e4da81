// Fuzzes the byte-level BPE tokenizer: vocab.json, merges.txt and a text, separated by NUL
// bytes, must load, tokenize (GPT-2's pre-tokeniser, merges) and decode, or fail with
// std::runtime_error.
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "fuzz_input.h"
#include "training/tokenizers/byte_level_bpe_tokenizer.h"

namespace {

// writeInput keeps one path per process, so the second file gets its own here.
std::string writeMerges(const char* data, size_t size) {
  static const std::string path = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                  "/sweet-fuzz-" + std::to_string(getpid()) + "-merges.txt";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const size_t first = bytes.find('\0');
  const size_t second = first == std::string::npos ? std::string::npos : bytes.find('\0', first + 1);
  if (second == std::string::npos) return 0;
  const std::string vocab = sweet::fuzz::writeInput(data, first, ".json");
  const std::string merges = writeMerges(bytes.data() + first + 1, second - first - 1);
  try {
    sweet::ByteLevelBpeTokenizer tokenizer(vocab, merges);
    const std::string text = bytes.substr(second + 1);
    tokenizer.decode(tokenizer.tokenIds(text));
    tokenizer.tokenize(text);
    tokenizer.encode(text, text.substr(text.size() / 2), 16);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
