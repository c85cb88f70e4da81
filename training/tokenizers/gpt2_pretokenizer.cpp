// GPT-2 pre-tokenisation: see gpt2_pretokenizer.h.
#include "training/tokenizers/gpt2_pretokenizer.h"

#include <utf8proc.h>

namespace sweet {
namespace {

enum class CharClass { kLetter, kNumber, kSpace, kOther };

struct CodePoint {
  size_t begin = 0, end = 0;  // byte range in the text
  utf8proc_int32_t value = -1;
  CharClass cls = CharClass::kOther;
};

// Unicode's White_Space property, which is what the `regex` module's \s means for text.
bool isWhiteSpace(utf8proc_int32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

CharClass classify(utf8proc_int32_t c) {
  if (isWhiteSpace(c)) return CharClass::kSpace;
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kNumber;
    default:
      return CharClass::kOther;
  }
}

std::vector<CodePoint> decode(std::string_view text) {
  std::vector<CodePoint> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    CodePoint cp;
    cp.begin = i;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                    static_cast<utf8proc_ssize_t>(text.size() - i), &cp.value);
    if (n <= 0) {  // invalid byte: a symbol of its own
      cp.value = -1;
      cp.end = i + 1;
      cp.cls = CharClass::kOther;
    } else {
      cp.end = i + static_cast<size_t>(n);
      cp.cls = classify(cp.value);
    }
    i = cp.end;
    out.push_back(cp);
  }
  return out;
}

// Length in code points of a contraction ('s 't 're 've 'm 'll 'd) starting at k, else 0.
size_t contraction(const std::vector<CodePoint>& cps, size_t k) {
  if (cps[k].value != '\'' || k + 1 >= cps.size()) return 0;
  const auto c1 = cps[k + 1].value;
  if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return 2;
  if (k + 2 < cps.size()) {
    const auto c2 = cps[k + 2].value;
    if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return 3;
  }
  return 0;
}

}  // namespace

std::vector<std::string_view> splitGpt2Words(std::string_view text) {
  const std::vector<CodePoint> cps = decode(text);
  std::vector<std::string_view> words;
  const size_t n = cps.size();
  size_t k = 0;
  auto emit = [&](size_t from, size_t to) {  // code points [from, to)
    words.push_back(text.substr(cps[from].begin, cps[to - 1].end - cps[from].begin));
  };
  while (k < n) {
    if (const size_t len = contraction(cps, k)) {
      emit(k, k + len);
      k += len;
      continue;
    }
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional ASCII space, then a run of
    // one class. The space alternative only matches when a non-space follows it.
    const size_t body = (cps[k].value == ' ' && k + 1 < n && cps[k + 1].cls != CharClass::kSpace) ? k + 1 : k;
    const CharClass cls = cps[body].cls;
    if (cls != CharClass::kSpace) {
      size_t end = body + 1;
      while (end < n && cps[end].cls == cls) ++end;
      emit(k, end);
      k = end;
      continue;
    }
    // `\s+(?!\S)` then `\s+`: a whitespace run, less its last character when a non-space
    // follows (that character then prefixes the next word, or stands alone).
    size_t end = k + 1;
    while (end < n && cps[end].cls == CharClass::kSpace) ++end;
    if (end < n && end - k > 1) --end;
    emit(k, end);
    k = end;
  }
  return words;
}

}  // namespace sweet
