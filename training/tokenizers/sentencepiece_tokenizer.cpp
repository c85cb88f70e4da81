// SentencePiece unigram tokenization: see sentencepiece_tokenizer.h.
#include "training/tokenizers/sentencepiece_tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <stdexcept>

namespace sweet {
namespace {

using PieceType = SentencePieceModel::PieceType;

// sentencepiece's unigram model scores an unknown character this far below the worst
// normal piece, so it is chosen only when nothing else covers the character.
constexpr float kUnknownPenalty = 10.0f;

size_t utf8CharLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

std::string lowerCase(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t c = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                    static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (n <= 0) {  // malformed byte: kept for the normaliser to replace
      out += text[i++];
      continue;
    }
    utf8proc_uint8_t buf[4];
    const auto len = utf8proc_encode_char(utf8proc_tolower(c), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
    i += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& spm_model, bool do_lower_case)
    : SentencePieceTokenizer(readSentencePieceModel(spm_model), spm_model, do_lower_case) {}

SentencePieceTokenizer::SentencePieceTokenizer(const SentencePieceModel& model, const std::string& source,
                                               bool do_lower_case)
    : Tokenizer(source), pieces_(model.pieces), normalizer_(model, source), do_lower_case_(do_lower_case) {
  if (model.model_type != 1)
    throw std::runtime_error(source + ": SentencePiece model type " + std::to_string(model.model_type) +
                             " is not supported (only unigram, type 1, as DeBERTa v2/v3 use)");
  byte_fallback_ = model.byte_fallback;
  std::fill(std::begin(byte_ids_), std::end(byte_ids_), int64_t{-1});
  int64_t unk = -1;
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;  // as sentencepiece: the smallest positive float, not the lowest
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const auto& p = pieces_[i];
    const auto id = static_cast<int64_t>(i);
    if (p.piece.empty()) throw std::runtime_error(source + ": piece " + std::to_string(i) + " is empty");
    if (!ids_.emplace(p.piece, id).second)
      throw std::runtime_error(source + ": piece \"" + p.piece + "\" is defined twice");
    if (p.type == PieceType::kNormal) {
      min_score_ = std::min(min_score_, p.score);
      max_score_ = std::max(max_score_, p.score);
    } else if (p.type == PieceType::kUnknown) {
      if (unk >= 0) throw std::runtime_error(source + ": more than one unknown piece");
      unk = id;
    } else if (p.type == PieceType::kByte) {
      if (!byte_fallback_)
        throw std::runtime_error(source + ": byte piece \"" + p.piece + "\" although byte_fallback is off");
      unsigned int value = 0;
      char tail = 0;
      if (p.piece.size() != 6 || std::sscanf(p.piece.c_str(), "<0x%2X>%c", &value, &tail) != 1 || value > 255)
        throw std::runtime_error(source + ": byte piece \"" + p.piece + "\" is not <0xNN>");
      byte_ids_[value] = id;
    }
  }
  if (unk < 0) throw std::runtime_error(source + ": SentencePiece model has no unknown piece");
  if (byte_fallback_)
    for (int b = 0; b < 256; ++b)
      if (byte_ids_[b] < 0) throw std::runtime_error(source + ": byte_fallback is on but byte " + std::to_string(b) + " has no piece");
  buildTrie();

  auto find = [&](const char* piece) {
    auto it = ids_.find(piece);
    return it == ids_.end() ? int64_t{-1} : it->second;
  };
  // DeBERTa v2/v3 keep [CLS]/[SEP]/[PAD] as control pieces; models trained with
  // sentencepiece's defaults have <s>/</s>/<pad> instead.
  if (find("[CLS]") >= 0 && find("[SEP]") >= 0)
    setSpecials(find("[CLS]"), find("[SEP]"), find("[PAD]"), unk, PairLayout::kBert);
  else
    setSpecials(find("<s>"), find("</s>"), find("<pad>"), unk, PairLayout::kBert);
}

void SentencePieceTokenizer::buildTrie() {
  // Normal, user-defined and unused pieces are matchable (sentencepiece skips unused ones
  // during search); control, unknown and byte pieces never match text.
  // Built with a hash map of (node << 8 | byte) -> child, then laid out by parent.
  std::unordered_map<uint64_t, uint32_t> edges;
  node_piece_.assign(1, -1);
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const auto type = pieces_[i].type;
    if (type != PieceType::kNormal && type != PieceType::kUserDefined && type != PieceType::kUnused) continue;
    uint32_t node = 0;
    for (unsigned char b : pieces_[i].piece) {
      const uint64_t key = (static_cast<uint64_t>(node) << 8) | b;
      auto it = edges.find(key);
      if (it == edges.end()) {
        it = edges.emplace(key, static_cast<uint32_t>(node_piece_.size())).first;
        node_piece_.push_back(-1);
      }
      node = it->second;
    }
    node_piece_[node] = static_cast<int32_t>(i);
  }
  std::vector<std::pair<uint64_t, uint32_t>> sorted(edges.begin(), edges.end());
  std::sort(sorted.begin(), sorted.end());  // by parent, then label
  child_begin_.assign(node_piece_.size() + 1, 0);
  child_label_.resize(sorted.size());
  child_node_.resize(sorted.size());
  for (size_t e = 0; e < sorted.size(); ++e) {
    ++child_begin_[(sorted[e].first >> 8) + 1];
    child_label_[e] = static_cast<unsigned char>(sorted[e].first & 0xFF);
    child_node_[e] = sorted[e].second;
  }
  for (size_t n = 1; n < child_begin_.size(); ++n) child_begin_[n] += child_begin_[n - 1];
}

int64_t SentencePieceTokenizer::child(uint32_t node, unsigned char label) const {
  const auto first = child_label_.begin() + child_begin_[node], last = child_label_.begin() + child_begin_[node + 1];
  const auto it = std::lower_bound(first, last, label);
  if (it == last || *it != label) return -1;
  return child_node_[static_cast<size_t>(it - child_label_.begin())];
}

std::vector<int64_t> SentencePieceTokenizer::encodeNormalized(const std::string& text) const {
  struct Best {
    int64_t id = -1;
    float score = 0.0f;  // stored as float, as sentencepiece does
    int64_t starts_at = -1;
  };
  const size_t size = text.size();
  const float unknown_score = min_score_ - kUnknownPenalty;
  std::vector<Best> best(size + 1);
  size_t start = 0;
  while (start < size) {
    const float score_here = best[start].score;
    const size_t char_length = std::min(utf8CharLength(static_cast<unsigned char>(text[start])), size - start);
    bool covers_one_char = false;
    uint32_t node = 0;
    for (size_t end = start; end < size; ++end) {
      const int64_t next = child(node, static_cast<unsigned char>(text[end]));
      if (next < 0) break;
      node = static_cast<uint32_t>(next);
      const int32_t id = node_piece_[node];
      if (id < 0 || pieces_[static_cast<size_t>(id)].type == PieceType::kUnused) continue;
      const size_t length = end + 1 - start;
      // User-defined symbols get a bonus that makes them always win. sentencepiece's
      // bonus expression is a double, which makes every candidate a double compared with
      // the float stored so far: near-ties ("0"+"00" against "00"+"0") are decided by that
      // rounding, so it is reproduced here exactly.
      const double piece_score = pieces_[static_cast<size_t>(id)].type == PieceType::kUserDefined
                                     ? static_cast<double>(static_cast<float>(length) * max_score_) - 0.1
                                     : static_cast<double>(pieces_[static_cast<size_t>(id)].score);
      const double candidate = piece_score + static_cast<double>(score_here);
      Best& target = best[end + 1];
      if (target.starts_at < 0 || candidate > static_cast<double>(target.score))
        target = {id, static_cast<float>(candidate), static_cast<int64_t>(start)};
      if (length == char_length) covers_one_char = true;
    }
    if (!covers_one_char) {
      Best& target = best[start + char_length];
      const float candidate = unknown_score + score_here;
      if (target.starts_at < 0 || candidate > target.score) target = {unkId(), candidate, static_cast<int64_t>(start)};
    }
    start += char_length;
  }
  std::vector<std::pair<size_t, size_t>> spans;  // [begin, end) of each chosen piece
  std::vector<int64_t> chosen;
  for (size_t end = size; end > 0;) {
    const Best& node = best[end];
    spans.emplace_back(static_cast<size_t>(node.starts_at), end);
    chosen.push_back(node.id);
    end = static_cast<size_t>(node.starts_at);
  }
  std::vector<int64_t> ids;
  ids.reserve(chosen.size());
  for (size_t k = chosen.size(); k-- > 0;) {
    if (chosen[k] == unkId() && byte_fallback_) {
      for (size_t i = spans[k].first; i < spans[k].second; ++i) ids.push_back(byte_ids_[static_cast<unsigned char>(text[i])]);
    } else {
      ids.push_back(chosen[k]);
    }
  }
  return ids;
}

std::vector<int64_t> SentencePieceTokenizer::tokenIds(const std::string& text) const {
  return encodeNormalized(normalizer_.normalize(do_lower_case_ ? lowerCase(text) : text));
}

std::vector<std::string> SentencePieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (int64_t id : tokenIds(text)) out.push_back(pieces_[static_cast<size_t>(id)].piece);
  return out;
}

int64_t SentencePieceTokenizer::idOf(const std::string& piece) const {
  auto it = ids_.find(piece);
  return it == ids_.end() ? unkId() : it->second;
}

}  // namespace sweet
