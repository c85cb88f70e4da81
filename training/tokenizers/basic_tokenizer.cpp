// BERT basic tokenizer: see basic_tokenizer.h.
#include "training/tokenizers/basic_tokenizer.h"

#include <utf8proc.h>

#include <cstdlib>

namespace sweet {
namespace {

std::vector<utf8proc_int32_t> decode(const std::string& text) {
  std::vector<utf8proc_int32_t> out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: drop it, as Python's decode(errors="ignore") would
      ++p;
      --left;
      continue;
    }
    out.push_back(cp);
    p += n;
    left -= n;
  }
  return out;
}

void append(std::string& out, utf8proc_int32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

bool isWhitespace(utf8proc_int32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

bool isControl(utf8proc_int32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  auto c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF;
}

bool isPunctuation(utf8proc_int32_t cp) {
  // BERT treats all non-letter/number ASCII as punctuation ("$", "^", "`" are not
  // Unicode punctuation but are split anyway).
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126))
    return true;
  auto c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

bool isChineseChar(utf8proc_int32_t cp) {
  // The CJK Unified Ideographs blocks, as BERT defines them (not Hangul or kana).
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// Lower-cases, then removes combining marks after canonical decomposition ("Héllo" -> "hello").
std::string lowerAndStripAccents(const std::vector<utf8proc_int32_t>& word) {
  std::string lowered;
  for (auto cp : word) append(lowered, utf8proc_tolower(cp));
  utf8proc_uint8_t* nfd = utf8proc_NFD(reinterpret_cast<const utf8proc_uint8_t*>(lowered.c_str()));
  if (!nfd) return lowered;
  std::string decomposed(reinterpret_cast<char*>(nfd));
  std::free(nfd);
  std::string out;
  for (auto cp : decode(decomposed))
    if (utf8proc_category(cp) != UTF8PROC_CATEGORY_MN) append(out, cp);
  return out;
}

}  // namespace

std::vector<std::string> BasicTokenizer::tokenize(const std::string& text) const {
  // 1. Clean: drop NUL, U+FFFD and control characters; map all whitespace to ' ';
  //    surround CJK ideographs with spaces so each becomes its own word.
  std::vector<utf8proc_int32_t> cleaned;
  for (auto cp : decode(text)) {
    if (cp == 0 || cp == 0xFFFD || isControl(cp)) continue;
    if (isWhitespace(cp)) {
      cleaned.push_back(' ');
    } else if (isChineseChar(cp)) {
      cleaned.push_back(' ');
      cleaned.push_back(cp);
      cleaned.push_back(' ');
    } else {
      cleaned.push_back(cp);
    }
  }
  // 2. Whitespace split; 3. lower-case + strip accents; 4. split off punctuation.
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < cleaned.size()) {
    while (i < cleaned.size() && cleaned[i] == ' ') ++i;
    size_t start = i;
    while (i < cleaned.size() && cleaned[i] != ' ') ++i;
    if (start == i) continue;
    std::vector<utf8proc_int32_t> word(cleaned.begin() + static_cast<long>(start),
                                       cleaned.begin() + static_cast<long>(i));
    if (do_lower_case_) word = decode(lowerAndStripAccents(word));
    std::string current;
    for (auto cp : word) {
      if (isPunctuation(cp)) {
        if (!current.empty()) tokens.push_back(std::move(current));
        current.clear();
        std::string punct;
        append(punct, cp);
        tokens.push_back(std::move(punct));
      } else {
        append(current, cp);
      }
    }
    if (!current.empty()) tokens.push_back(std::move(current));
  }
  return tokens;
}

}  // namespace sweet
