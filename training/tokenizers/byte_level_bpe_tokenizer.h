// Byte-level BPE as GPT-2 defined it and RoBERTa and DeBERTa v1 reuse: GPT-2's
// pre-tokenisation, each byte of a word mapped to a printable code point (so every input
// has a spelling and nothing is unknown), then merges applied by rank. Reads Hugging Face's
// vocab.json + merges.txt. The specials decide the pair layout: [CLS]/[SEP] (DeBERTa v1,
// [CLS] a [SEP] b [SEP]) or <s>/</s> (RoBERTa, <s> a </s></s> b </s>); plain GPT-2 files
// have neither, so they tokenize but cannot frame model inputs.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "training/tokenizers/tokenizer.h"

namespace sweet {

class ByteLevelBpeTokenizer : public Tokenizer {
 public:
  // Throws naming the file when either is missing, vocab.json is not a JSON object of
  // token -> id, or a merges.txt line is not two space-separated symbols.
  ByteLevelBpeTokenizer(const std::string& vocab_json, const std::string& merges_txt);

  std::vector<std::string> tokenize(const std::string& text) const override;
  std::vector<int64_t> tokenIds(const std::string& text) const override;
  // One more than the largest id: ids index the embedding table.
  int64_t vocabSize() const override { return vocab_size_; }

  int64_t idOf(const std::string& token) const;  // the unknown id (or -1) when absent
  // The bytes a token id stands for (specials spell themselves).
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  // The BPE symbols of one pre-tokenised word, with the byte-to-unicode mapping applied.
  std::vector<std::string> bpe(std::string_view word) const;
  int64_t pieceId(const std::string& piece) const;

  std::unordered_map<std::string, int64_t> ids_;
  std::unordered_map<int64_t, std::string> tokens_;
  std::unordered_map<std::string, int32_t> merge_ranks_;  // "left right" -> rank
  std::string byte_symbol_[256];                          // UTF-8 of each byte's stand-in
  std::unordered_map<std::string, unsigned char> symbol_byte_;
  int64_t vocab_size_ = 0;

  // Words repeat a lot in running text; merging is the expensive part. Bounded, and
  // guarded so one tokenizer can serve several threads.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<std::string>> cache_;
  static constexpr size_t kMaxCachedWords = 200000;
};

}  // namespace sweet
