// Byte-level BPE: see byte_level_bpe_tokenizer.h.
#include "training/tokenizers/byte_level_bpe_tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "training/tokenizers/gpt2_pretokenizer.h"

namespace sweet {
namespace {

std::string utf8(uint32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  return s;
}

std::string readFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open " + what);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(const std::string& vocab_json, const std::string& merges_txt)
    : Tokenizer(vocab_json) {
  // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others
  // (controls, space, soft hyphen...) take code points from 256 on, in byte order.
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    byte_symbol_[b] = utf8(printable ? b : next++);
    symbol_byte_[byte_symbol_[b]] = static_cast<unsigned char>(b);
  }

  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(readFile(vocab_json, "BPE vocabulary"));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(vocab_json + ": not valid JSON: " + e.what());
  }
  if (!vocab.is_object() || vocab.empty())
    throw std::runtime_error(vocab_json + ": expected a JSON object mapping tokens to ids");
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > std::numeric_limits<int32_t>::max())
      throw std::runtime_error(vocab_json + ": the id of \"" + token + "\" is not a non-negative integer");
    const int64_t value = id.get<int64_t>();
    ids_[token] = value;
    tokens_.emplace(value, token);
    vocab_size_ = std::max(vocab_size_, value + 1);
  }

  std::istringstream merges(readFile(merges_txt, "BPE merges"));
  std::string line;
  int64_t line_number = 0;
  while (std::getline(merges, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    const size_t space = line.find(' ');
    if (space == 0 || space == std::string::npos || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos)
      throw std::runtime_error(merges_txt + ":" + std::to_string(line_number) +
                               ": expected two symbols separated by one space, got \"" + line.substr(0, 80) + "\"");
    merge_ranks_.emplace(line, static_cast<int32_t>(merge_ranks_.size()));
  }
  if (merge_ranks_.empty()) throw std::runtime_error(merges_txt + ": no merges");

  auto find = [&](const char* token) {
    auto it = ids_.find(token);
    return it == ids_.end() ? int64_t{-1} : it->second;
  };
  if (find("[CLS]") >= 0 && find("[SEP]") >= 0) {
    setSpecials(find("[CLS]"), find("[SEP]"), find("[PAD]"), find("[UNK]"), PairLayout::kBert);
  } else if (find("<s>") >= 0 && find("</s>") >= 0) {
    setSpecials(find("<s>"), find("</s>"), find("<pad>"), find("<unk>"), PairLayout::kRoberta);
  } else {
    setSpecials(-1, -1, -1, -1, PairLayout::kBert);  // GPT-2: <|endoftext|> only
  }
}

std::vector<std::string> ByteLevelBpeTokenizer::bpe(std::string_view word) const {
  std::string key(word);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  std::vector<std::string> symbols;
  symbols.reserve(word.size());
  for (unsigned char b : word) symbols.push_back(byte_symbol_[b]);
  // Repeatedly merge the adjacent pair with the lowest rank, every occurrence of it left
  // to right, until no adjacent pair is a merge (GPT-2's encoder.py).
  std::string pair;
  while (symbols.size() > 1) {
    int32_t best = std::numeric_limits<int32_t>::max();
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      pair.assign(symbols[i]).append(1, ' ').append(symbols[i + 1]);
      auto it = merge_ranks_.find(pair);
      if (it != merge_ranks_.end() && it->second < best) best = it->second, best_at = i;
    }
    if (best == std::numeric_limits<int32_t>::max()) break;
    const std::string left = symbols[best_at], right = symbols[best_at + 1];
    std::vector<std::string> merged;
    merged.reserve(symbols.size());
    for (size_t i = 0; i < symbols.size();) {
      if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
        merged.push_back(left + right);
        i += 2;
      } else {
        merged.push_back(std::move(symbols[i]));
        ++i;
      }
    }
    symbols = std::move(merged);
  }
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= kMaxCachedWords) cache_.clear();
  cache_.emplace(std::move(key), symbols);
  return symbols;
}

std::vector<std::string> ByteLevelBpeTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (std::string_view word : splitGpt2Words(text))
    for (auto& symbol : bpe(word)) out.push_back(std::move(symbol));
  return out;
}

int64_t ByteLevelBpeTokenizer::pieceId(const std::string& piece) const {
  auto it = ids_.find(piece);
  if (it != ids_.end()) return it->second;
  if (unkId() >= 0) return unkId();
  // A merge whose result is not in the vocabulary, or a byte missing from it: the files
  // do not belong together.
  throw std::runtime_error(source() + ": BPE produced \"" + piece + "\", which the vocabulary lacks and it has no unknown token");
}

std::vector<int64_t> ByteLevelBpeTokenizer::tokenIds(const std::string& text) const {
  std::vector<int64_t> ids;
  for (std::string_view word : splitGpt2Words(text))
    for (const auto& symbol : bpe(word)) ids.push_back(pieceId(symbol));
  return ids;
}

int64_t ByteLevelBpeTokenizer::idOf(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? unkId() : it->second;
}

std::string ByteLevelBpeTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) {
    auto it = tokens_.find(id);
    if (it == tokens_.end()) throw std::runtime_error(source() + ": no token has id " + std::to_string(id));
    const std::string& token = it->second;
    if (id == clsId() || id == sepId() || id == padId() || id == unkId()) {
      out += token;
      continue;
    }
    for (size_t i = 0; i < token.size();) {  // one stand-in code point at a time
      size_t len = 1;
      const auto lead = static_cast<unsigned char>(token[i]);
      if (lead >= 0xF0) len = 4;
      else if (lead >= 0xE0) len = 3;
      else if (lead >= 0xC0) len = 2;
      auto byte = symbol_byte_.find(token.substr(i, len));
      if (byte == symbol_byte_.end()) {
        out += token.substr(i, len);  // not a byte stand-in (an added token): as written
      } else {
        out += static_cast<char>(byte->second);
      }
      i += len;
    }
  }
  return out;
}

}  // namespace sweet
