// What the trainer and the datasets need from a tokenizer, whichever algorithm a checkpoint
// uses (BERT's WordPiece, GPT-2 / RoBERTa / DeBERTa-v1 byte-level BPE, DeBERTa-v2/v3
// SentencePiece unigram): text to ids, the model-input layout with specials, longest-first
// truncation and per-batch padding. Torch-free, so tokenizers compile and fuzz without libtorch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sweet {

struct Encoding {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> token_type_ids;  // 0 for [CLS] a [SEP], 1 for b [SEP] (all 0 for RoBERTa)
};

// A padded batch, row-major [batch, length].
struct TokenBatch {
  int64_t batch = 0, length = 0;
  std::vector<int64_t> input_ids, attention_mask, token_type_ids;
};

// How specials frame one or two segments.
enum class PairLayout {
  kBert,     // [CLS] a [SEP] b [SEP], token types 0 / 1 (BERT, DeBERTa v1/v2/v3)
  kRoberta,  // <s> a </s></s> b </s>, token types all 0 (RoBERTa)
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Pieces as strings (for inspection) and their ids, without specials.
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;
  virtual std::vector<int64_t> tokenIds(const std::string& text) const = 0;
  virtual int64_t vocabSize() const = 0;

  // Specials framing a (and b), truncated longest-first (the last token of the longer
  // segment goes first, b on ties, as Hugging Face does) to max_length tokens in all.
  // Throws naming the vocabulary when it has no classifier / separator tokens.
  Encoding encode(const std::string& text_a, const std::optional<std::string>& text_b, int64_t max_length) const;
  // Pads to the longest sequence in the batch with the pad id (attention_mask 0).
  TokenBatch pad(const std::vector<Encoding>& encodings) const;

  int64_t clsId() const { return cls_; }  // -1 when the vocabulary has none
  int64_t sepId() const { return sep_; }
  int64_t padId() const { return pad_; }
  int64_t unkId() const { return unk_; }
  PairLayout layout() const { return layout_; }
  // The file the vocabulary came from, for messages.
  const std::string& source() const { return source_; }

 protected:
  explicit Tokenizer(std::string source) : source_(std::move(source)) {}
  void setSpecials(int64_t cls, int64_t sep, int64_t pad, int64_t unk, PairLayout layout) {
    cls_ = cls, sep_ = sep, pad_ = pad, unk_ = unk, layout_ = layout;
  }

 private:
  std::string source_;
  int64_t cls_ = -1, sep_ = -1, pad_ = -1, unk_ = -1;
  PairLayout layout_ = PairLayout::kBert;
};

}  // namespace sweet
