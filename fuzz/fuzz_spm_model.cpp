// Fuzzes spm.model (a serialized SentencePiece ModelProto) and the unigram tokenizer built
// from it: the file, then a text (after the first 0xFF 0x00 pair) tokenized and encoded as
// a pair, must work or fail with std::runtime_error. Seeds are valid models, so mutations
// reach the charsmap trie and the Viterbi search, not only the wire-format reader.
#include <stdexcept>
#include <string>

#include "fuzz_input.h"
#include "training/tokenizers/sentencepiece_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const size_t split = bytes.rfind(std::string("\xFF\x00", 2));
  const size_t model_size = split == std::string::npos ? size : split;
  const std::string path = sweet::fuzz::writeInput(data, model_size, ".model");
  try {
    sweet::SentencePieceTokenizer tokenizer(path, (size & 1) != 0);
    const std::string text = split == std::string::npos ? "Hello world, caf\xC3\xA9 \xF0\x9D\x84\x9E 123" : bytes.substr(split + 2);
    tokenizer.tokenize(text);
    tokenizer.encode(text, text.substr(text.size() / 2), 16);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
