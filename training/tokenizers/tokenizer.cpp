// Special-token layout, truncation and padding shared by every tokenizer: see tokenizer.h.
#include "training/tokenizers/tokenizer.h"

#include <algorithm>
#include <stdexcept>

namespace sweet {

Encoding Tokenizer::encode(const std::string& text_a, const std::optional<std::string>& text_b,
                           int64_t max_length) const {
  if (cls_ < 0 || sep_ < 0)
    throw std::runtime_error(source_ + ": the vocabulary has no classifier and separator tokens ([CLS]/[SEP] or "
                                       "<s>/</s>), so it cannot frame model inputs");
  const bool roberta = layout_ == PairLayout::kRoberta;
  std::vector<int64_t> a = tokenIds(text_a);
  std::vector<int64_t> b;
  if (text_b) b = tokenIds(*text_b);
  const int64_t special = text_b ? (roberta ? 4 : 3) : 2;
  if (max_length < special + 1)
    throw std::runtime_error("max_length " + std::to_string(max_length) + " leaves no room for text");
  while (static_cast<int64_t>(a.size() + b.size()) + special > max_length) {
    if (a.size() > b.size())
      a.pop_back();
    else
      b.pop_back();
  }
  Encoding e;
  e.input_ids.reserve(a.size() + b.size() + static_cast<size_t>(special));
  e.input_ids.push_back(cls_);
  e.input_ids.insert(e.input_ids.end(), a.begin(), a.end());
  e.input_ids.push_back(sep_);
  e.token_type_ids.assign(e.input_ids.size(), 0);
  if (text_b) {
    if (roberta) e.input_ids.push_back(sep_);
    e.input_ids.insert(e.input_ids.end(), b.begin(), b.end());
    e.input_ids.push_back(sep_);
    e.token_type_ids.resize(e.input_ids.size(), roberta ? 0 : 1);
  }
  return e;
}

TokenBatch Tokenizer::pad(const std::vector<Encoding>& encodings) const {
  TokenBatch batch;
  batch.batch = static_cast<int64_t>(encodings.size());
  for (const auto& e : encodings)
    batch.length = std::max<int64_t>(batch.length, static_cast<int64_t>(e.input_ids.size()));
  const size_t total = static_cast<size_t>(batch.batch * batch.length);
  // A vocabulary without a pad token (GPT-2) pads with 0: the attention mask hides it.
  batch.input_ids.assign(total, std::max<int64_t>(pad_, 0));
  batch.attention_mask.assign(total, 0);
  batch.token_type_ids.assign(total, 0);
  for (size_t r = 0; r < encodings.size(); ++r) {
    const auto& e = encodings[r];
    const size_t row = r * static_cast<size_t>(batch.length);
    for (size_t t = 0; t < e.input_ids.size(); ++t) {
      batch.input_ids[row + t] = e.input_ids[t];
      batch.attention_mask[row + t] = 1;
      batch.token_type_ids[row + t] = e.token_type_ids[t];
    }
  }
  return batch;
}

}  // namespace sweet
