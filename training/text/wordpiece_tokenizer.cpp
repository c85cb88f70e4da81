// WordPiece tokenizer and input encoding: see wordpiece_tokenizer.h.
#include "training/text/wordpiece_tokenizer.h"

#include <fstream>
#include <stdexcept>

namespace sweet {
namespace {

// Byte offsets of each UTF-8 code point's start, plus the end offset.
std::vector<size_t> codePointOffsets(const std::string& s) {
  std::vector<size_t> offsets;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) offsets.push_back(i);
  offsets.push_back(s.size());
  return offsets;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const std::string& vocab_file, bool do_lower_case)
    : basic_(do_lower_case) {
  std::ifstream in(vocab_file);
  if (!in) throw std::runtime_error(vocab_file + ": cannot open vocabulary");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab_.push_back(line);
  }
  index(vocab_file);
}

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, bool do_lower_case)
    : basic_(do_lower_case), vocab_(std::move(vocab)) {
  index("<in-memory vocabulary>");
}

void WordPieceTokenizer::index(const std::string& source) {
  ids_.reserve(vocab_.size());
  for (size_t i = 0; i < vocab_.size(); ++i) ids_.emplace(vocab_[i], static_cast<int64_t>(i));
  auto need = [&](const char* token) {
    auto it = ids_.find(token);
    if (it == ids_.end())
      throw std::runtime_error(source + ": vocabulary has no " + token + " token (is it a BERT vocab.txt?)");
    return it->second;
  };
  cls_ = need("[CLS]");
  sep_ = need("[SEP]");
  pad_ = need("[PAD]");
  unk_ = need("[UNK]");
}

int64_t WordPieceTokenizer::idOf(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? unk_ : it->second;
}

void WordPieceTokenizer::wordPiece(const std::string& word, std::vector<std::string>& out) const {
  const auto offsets = codePointOffsets(word);
  const size_t chars = offsets.size() - 1;
  if (chars > kMaxCharsPerWord) {
    out.push_back("[UNK]");
    return;
  }
  std::vector<std::string> pieces;
  size_t start = 0;
  while (start < chars) {
    size_t end = chars;
    std::string match;
    while (start < end) {  // longest match first
      std::string candidate = word.substr(offsets[start], offsets[end] - offsets[start]);
      if (start > 0) candidate = "##" + candidate;
      if (ids_.count(candidate)) {
        match = std::move(candidate);
        break;
      }
      --end;
    }
    if (match.empty()) {  // some part has no piece: the whole word is unknown
      out.push_back("[UNK]");
      return;
    }
    pieces.push_back(std::move(match));
    start = end;
  }
  for (auto& p : pieces) out.push_back(std::move(p));
}

std::vector<std::string> WordPieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (const auto& word : basic_.tokenize(text)) wordPiece(word, out);
  return out;
}

std::vector<int64_t> WordPieceTokenizer::tokenIds(const std::string& text) const {
  std::vector<int64_t> ids;
  for (const auto& piece : tokenize(text)) ids.push_back(idOf(piece));
  return ids;
}

Encoding WordPieceTokenizer::encode(const std::string& text_a, const std::optional<std::string>& text_b,
                                    int64_t max_length) const {
  std::vector<int64_t> a = tokenIds(text_a);
  std::vector<int64_t> b;
  if (text_b) b = tokenIds(*text_b);
  const int64_t special = text_b ? 3 : 2;
  if (max_length < special + 1)
    throw std::runtime_error("max_length " + std::to_string(max_length) + " leaves no room for text");
  // Longest-first: drop the last token of the longer sequence (b on ties), as HF does.
  while (static_cast<int64_t>(a.size() + b.size()) + special > max_length) {
    if (a.size() > b.size())
      a.pop_back();
    else
      b.pop_back();
  }
  Encoding e;
  e.input_ids.reserve(a.size() + b.size() + special);
  e.input_ids.push_back(cls_);
  e.input_ids.insert(e.input_ids.end(), a.begin(), a.end());
  e.input_ids.push_back(sep_);
  e.token_type_ids.assign(e.input_ids.size(), 0);
  if (text_b) {
    e.input_ids.insert(e.input_ids.end(), b.begin(), b.end());
    e.input_ids.push_back(sep_);
    e.token_type_ids.resize(e.input_ids.size(), 1);
  }
  return e;
}

TokenBatch WordPieceTokenizer::pad(const std::vector<Encoding>& encodings) const {
  TokenBatch batch;
  batch.batch = static_cast<int64_t>(encodings.size());
  for (const auto& e : encodings)
    batch.length = std::max<int64_t>(batch.length, static_cast<int64_t>(e.input_ids.size()));
  const size_t total = static_cast<size_t>(batch.batch * batch.length);
  batch.input_ids.assign(total, pad_);
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
