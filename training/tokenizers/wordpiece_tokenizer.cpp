// WordPiece tokenizer and input encoding: see wordpiece_tokenizer.h.
#include "training/tokenizers/wordpiece_tokenizer.h"

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
    : Tokenizer(vocab_file), basic_(do_lower_case) {
  std::ifstream in(vocab_file);
  if (!in) throw std::runtime_error(vocab_file + ": cannot open vocabulary");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab_.push_back(line);
  }
  index();
}

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, bool do_lower_case)
    : Tokenizer("<in-memory vocabulary>"), basic_(do_lower_case), vocab_(std::move(vocab)) {
  index();
}

void WordPieceTokenizer::index() {
  ids_.reserve(vocab_.size());
  for (size_t i = 0; i < vocab_.size(); ++i) ids_.emplace(vocab_[i], static_cast<int64_t>(i));
  auto need = [&](const char* token) {
    auto it = ids_.find(token);
    if (it == ids_.end())
      throw std::runtime_error(source() + ": vocabulary has no " + token + " token (is it a BERT vocab.txt?)");
    return it->second;
  };
  const int64_t cls = need("[CLS]"), sep = need("[SEP]"), pad = need("[PAD]"), unk = need("[UNK]");
  setSpecials(cls, sep, pad, unk, PairLayout::kBert);
}

int64_t WordPieceTokenizer::idOf(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? unkId() : it->second;
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

}  // namespace sweet
