// BERT's WordPiece tokenizer (greedy longest-match-first with "##" continuations) over a
// vocab.txt; the model-input layout [CLS] a [SEP] (b [SEP]), truncation and padding come
// from Tokenizer. Native C++: sentencepiece
// cannot share a process with libtorch (see ../shared/notes/toolchain.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "training/tokenizers/basic_tokenizer.h"
#include "training/tokenizers/tokenizer.h"

namespace sweet {

class WordPieceTokenizer : public Tokenizer {
 public:
  // Reads vocab.txt (one token per line, id = line number). Throws naming the file when it
  // is missing or lacks [CLS], [SEP], [PAD] or [UNK].
  WordPieceTokenizer(const std::string& vocab_file, bool do_lower_case);
  WordPieceTokenizer(std::vector<std::string> vocab, bool do_lower_case);

  std::vector<std::string> tokenize(const std::string& text) const override;
  std::vector<int64_t> tokenIds(const std::string& text) const override;

  int64_t idOf(const std::string& token) const;  // [UNK]'s id when absent
  const std::string& tokenOf(int64_t id) const { return vocab_.at(static_cast<size_t>(id)); }
  int64_t vocabSize() const override { return static_cast<int64_t>(vocab_.size()); }

  static constexpr size_t kMaxCharsPerWord = 100;

 private:
  void index();
  void wordPiece(const std::string& word, std::vector<std::string>& out) const;

  BasicTokenizer basic_;
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace sweet
