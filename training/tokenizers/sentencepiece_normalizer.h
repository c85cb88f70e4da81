// SentencePiece's normaliser, natively: character rules from the model's precompiled
// charsmap (a Darts double-array trie over UTF-8 prefixes whose values point into a block
// of NUL-terminated replacement strings; nmt_nfkc's is NFKC plus a few NMT-specific
// rules), then whitespace handling: runs collapsed and trimmed, spaces escaped as U+2581
// and a dummy prefix, each as the model's NormalizerSpec says. User-defined symbols pass
// through untouched, as in sentencepiece.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "training/tokenizers/sentencepiece_model.h"

namespace sweet {

class SentencePieceNormalizer {
 public:
  // Throws naming `source` when the charsmap is malformed.
  SentencePieceNormalizer(const SentencePieceModel& model, const std::string& source);

  std::string normalize(std::string_view input) const;

 private:
  // The replacement for the longest rule matching a prefix of `input`, and how many input
  // bytes it consumes (at least 1).
  std::pair<std::string_view, size_t> normalizePrefix(std::string_view input) const;
  // Longest rule in the trie matching a prefix: (length, value), length 0 when none.
  std::pair<size_t, uint32_t> longestRule(std::string_view input) const;

  std::vector<uint32_t> trie_;  // double-array units
  std::string replacements_;    // NUL-terminated strings the trie's values index
  std::vector<std::string> user_defined_;
  bool add_dummy_prefix_, remove_extra_whitespaces_, escape_whitespaces_, whitespace_as_suffix_;
};

}  // namespace sweet
