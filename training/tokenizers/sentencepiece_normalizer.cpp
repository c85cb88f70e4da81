// SentencePiece normalisation: see sentencepiece_normalizer.h.
#include "training/tokenizers/sentencepiece_normalizer.h"

#include <stdexcept>

namespace sweet {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

// Length of a valid UTF-8 sequence at the start of `s`, 0 when it is malformed (as
// sentencepiece's IsValidDecodeUTF8: shortest form, no surrogates, at most U+10FFFF).
size_t validUtf8Length(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F;
  else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F;
  else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07;
  else return 0;
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

SentencePieceNormalizer::SentencePieceNormalizer(const SentencePieceModel& model, const std::string& source)
    : add_dummy_prefix_(model.add_dummy_prefix),
      remove_extra_whitespaces_(model.remove_extra_whitespaces),
      escape_whitespaces_(model.escape_whitespaces),
      whitespace_as_suffix_(model.treat_whitespace_as_suffix) {
  for (const auto& p : model.pieces)
    if (p.type == SentencePieceModel::PieceType::kUserDefined) user_defined_.push_back(p.piece);
  const std::string& blob = model.precompiled_charsmap;
  if (blob.empty()) return;  // identity: whitespace handling only
  // Layout: trie size in bytes (uint32, little-endian), the trie, the replacement strings.
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(source + ": malformed precompiled_charsmap in normalizer_spec (" + what + ")");
  };
  if (blob.size() <= 4) fail("too short");
  uint32_t trie_bytes = 0;
  for (int i = 0; i < 4; ++i) trie_bytes |= static_cast<uint32_t>(static_cast<unsigned char>(blob[i])) << (8 * i);
  if (trie_bytes > blob.size() - 4 || trie_bytes % 4 != 0 || trie_bytes == 0) fail("trie size " + std::to_string(trie_bytes));
  trie_.resize(trie_bytes / 4);
  for (size_t u = 0; u < trie_.size(); ++u) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(blob[4 + 4 * u + i])) << (8 * i);
    trie_[u] = v;
  }
  replacements_ = blob.substr(4 + trie_bytes);
}

std::pair<size_t, uint32_t> SentencePieceNormalizer::longestRule(std::string_view input) const {
  // Darts-clone's commonPrefixSearch. A unit packs: bits 0-7 the label (bit 31 set on leaf
  // units so no label matches them), bit 8 "has a leaf child", bit 9 scales the offset,
  // bits 10-31 the offset to the children; a leaf unit's low 31 bits are its value. Every
  // index is checked, so a damaged charsmap cannot read out of bounds.
  auto unit = [&](uint32_t id) -> uint32_t { return id < trie_.size() ? trie_[id] : 0x80000000u; };
  auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  size_t best_length = 0;
  uint32_t best_value = 0;
  uint32_t id = offset(unit(0));
  for (size_t i = 0; i < input.size(); ++i) {
    const auto label = static_cast<unsigned char>(input[i]);
    id ^= label;
    const uint32_t u = unit(id);
    if ((u & ((1u << 31) | 0xFF)) != label) break;
    id ^= offset(u);
    if ((u >> 8) & 1) {
      best_length = i + 1;  // later matches are longer
      best_value = unit(id) & 0x7FFFFFFFu;
    }
  }
  return {best_length, best_value};
}

std::pair<std::string_view, size_t> SentencePieceNormalizer::normalizePrefix(std::string_view input) const {
  size_t user_length = 0;  // the longest user-defined symbol, kept as is
  for (const auto& symbol : user_defined_)
    if (symbol.size() > user_length && input.substr(0, symbol.size()) == symbol) user_length = symbol.size();
  if (user_length > 0) return {input.substr(0, user_length), user_length};

  if (!trie_.empty()) {
    const auto [length, value] = longestRule(input);
    if (length > 0) {
      if (value >= replacements_.size()) return {std::string_view(), length};  // damaged: drop the match
      const size_t end = replacements_.find('\0', value);
      return {std::string_view(replacements_).substr(value, end == std::string::npos ? std::string::npos : end - value),
              length};
    }
  }
  const size_t length = validUtf8Length(input);
  if (length == 0) return {"\xEF\xBF\xBD", 1};  // malformed byte: U+FFFD, one byte consumed
  return {input.substr(0, length), length};
}

std::string SentencePieceNormalizer::normalize(std::string_view input) const {
  std::string out;
  out.reserve(input.size() * 3 / 2 + 4);
  const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : std::string_view(" ");
  if (remove_extra_whitespaces_) {  // leading whitespace (after normalisation) goes
    while (!input.empty()) {
      const auto [replacement, consumed] = normalizePrefix(input);
      if (replacement != " ") break;
      input.remove_prefix(consumed);
    }
  }
  if (input.empty()) return out;
  if (!whitespace_as_suffix_ && add_dummy_prefix_) out += space;

  bool previous_was_space = remove_extra_whitespaces_;
  while (!input.empty()) {
    auto [replacement, consumed] = normalizePrefix(input);
    while (previous_was_space && !replacement.empty() && replacement.front() == ' ') replacement.remove_prefix(1);
    if (!replacement.empty()) {
      for (char c : replacement) {
        if (escape_whitespaces_ && c == ' ')
          out += kSpaceSymbol;
        else
          out += c;
      }
      previous_was_space = replacement.back() == ' ';
    }
    input.remove_prefix(consumed);
    if (!remove_extra_whitespaces_) previous_was_space = false;
  }
  if (remove_extra_whitespaces_)
    while (endsWith(out, space)) out.resize(out.size() - space.size());
  if (whitespace_as_suffix_ && add_dummy_prefix_) out += space;
  return out;
}

}  // namespace sweet
