// BERT's WordPiece tokenizer (greedy longest-match-first with "##" continuations) over a
// vocab.txt, plus the model-input encoding: [CLS] a [SEP] (b [SEP]), token_type_ids,
// longest-first truncation and per-batch dynamic padding. Native C++: sentencepiece
// cannot share a process with libtorch (see ../shared/notes/toolchain.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "training/text/basic_tokenizer.h"

namespace sweet {

struct Encoding {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> token_type_ids;  // 0 for [CLS] a [SEP], 1 for b [SEP]
};

// A padded batch, row-major [batch, length].
struct TokenBatch {
  int64_t batch = 0, length = 0;
  std::vector<int64_t> input_ids, attention_mask, token_type_ids;
};

class WordPieceTokenizer {
 public:
  // Reads vocab.txt (one token per line, id = line number). Throws naming the file when it
  // is missing or lacks [CLS], [SEP], [PAD] or [UNK].
  WordPieceTokenizer(const std::string& vocab_file, bool do_lower_case);
  WordPieceTokenizer(std::vector<std::string> vocab, bool do_lower_case);

  std::vector<std::string> tokenize(const std::string& text) const;
  std::vector<int64_t> tokenIds(const std::string& text) const;
  // [CLS] a [SEP] (b [SEP]) truncated longest-first to max_length tokens in all.
  Encoding encode(const std::string& text_a, const std::optional<std::string>& text_b,
                  int64_t max_length) const;
  // Pads to the longest sequence in the batch with [PAD] (attention_mask 0).
  TokenBatch pad(const std::vector<Encoding>& encodings) const;

  int64_t idOf(const std::string& token) const;  // [UNK]'s id when absent
  const std::string& tokenOf(int64_t id) const { return vocab_.at(static_cast<size_t>(id)); }
  int64_t vocabSize() const { return static_cast<int64_t>(vocab_.size()); }
  int64_t clsId() const { return cls_; }
  int64_t sepId() const { return sep_; }
  int64_t padId() const { return pad_; }
  int64_t unkId() const { return unk_; }

  static constexpr size_t kMaxCharsPerWord = 100;

 private:
  void index(const std::string& source);
  void wordPiece(const std::string& word, std::vector<std::string>& out) const;

  BasicTokenizer basic_;
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int64_t> ids_;
  int64_t cls_ = -1, sep_ = -1, pad_ = -1, unk_ = -1;
};

}  // namespace sweet
