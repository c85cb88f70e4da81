// Fuzzes vocab.txt and the WordPiece tokenizer built from it: the file, then a text
// (after a NUL) encoded as a pair, must tokenize or fail with std::runtime_error.
#include <stdexcept>
#include <string>

#include "fuzz_input.h"
#include "training/tokenizers/wordpiece_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t nul = text.find('\0');
  const std::string path = sweet::fuzz::writeInput(data, nul == std::string::npos ? size : nul, ".txt");
  try {
    sweet::WordPieceTokenizer tokenizer(path, (size & 1) != 0);
    const std::string input = nul == std::string::npos ? text : text.substr(nul + 1);
    sweet::Encoding e = tokenizer.encode(input, input.substr(input.size() / 2), 16);
    tokenizer.pad({e, tokenizer.encode(input, std::nullopt, 8)});
  } catch (const std::runtime_error&) {
  }
  return 0;
}
