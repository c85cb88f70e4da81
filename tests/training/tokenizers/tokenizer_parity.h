// Comparing a tokenizer's ids with a reference's on many sentences: how many match, the
// first that does not (for the failure message), and the throughput measured on the way.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sweet::testing {

struct TokenizerParity {
  size_t matches = 0, tokens = 0;
  std::string firstMismatch;
  double sentencesPerSecond = 0;
};

template <typename Tokenizer>
TokenizerParity compareIds(const Tokenizer& tokenizer, const std::vector<std::string>& sentences,
                           const std::vector<std::vector<int64_t>>& expected) {
  TokenizerParity p;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < sentences.size(); ++i) {
    const std::vector<int64_t> got = tokenizer.tokenIds(sentences[i]);
    p.tokens += got.size();
    if (got == expected[i]) ++p.matches;
    else if (p.firstMismatch.empty()) p.firstMismatch = sentences[i];
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.sentencesPerSecond = static_cast<double>(sentences.size()) / std::max(1e-9, seconds);
  return p;
}

}  // namespace sweet::testing
