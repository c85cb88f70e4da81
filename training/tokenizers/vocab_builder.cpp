// Vocabulary construction: see vocab_builder.h.
#include "training/tokenizers/vocab_builder.h"

#include <fstream>
#include <set>
#include <stdexcept>

namespace sweet {

std::vector<std::string> buildVocabulary(int64_t size, const std::vector<std::string>& words) {
  // [PAD] first so that pad_token_id = 0 as in BERT's config.
  std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  std::set<std::string> seen(vocab.begin(), vocab.end());
  auto add = [&](const std::string& token) {
    if (seen.insert(token).second) vocab.push_back(token);
  };
  for (const auto& w : words) add(w);
  for (char c = 33; c < 127; ++c) {
    if (c >= 'A' && c <= 'Z') continue;  // lower-cased text never has them
    add(std::string(1, c));
  }
  for (char c = 33; c < 127; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) add("##" + std::string(1, c));
  }
  if (static_cast<int64_t>(vocab.size()) > size)
    throw std::runtime_error("vocab_size " + std::to_string(size) + " is too small: the vocabulary needs " +
                             std::to_string(vocab.size()) + " entries");
  for (int64_t i = 0; static_cast<int64_t>(vocab.size()) < size; ++i) vocab.push_back("[unused" + std::to_string(i) + "]");
  return vocab;
}

void writeVocabulary(const std::vector<std::string>& vocab, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  for (const auto& token : vocab) out << token << "\n";
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace sweet
