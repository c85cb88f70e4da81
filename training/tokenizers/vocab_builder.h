// A WordPiece vocabulary for models trained from scratch (random-init checkpoints and the
// demo task): the BERT special tokens, then given words, then single characters and their
// "##" continuations so that any ASCII text tokenizes without [UNK], padded with
// [unusedN] entries to an exact size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

// Throws when `size` is too small for the special tokens, words and characters.
std::vector<std::string> buildVocabulary(int64_t size, const std::vector<std::string>& words = {});
void writeVocabulary(const std::vector<std::string>& vocab, const std::string& path);

}  // namespace sweet
