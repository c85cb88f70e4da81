// GPT-2's pre-tokenisation, the regular expression
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// written out as a scanner over code points (no regex engine knows \p{..} in the standard
// library), with utf8proc for the Unicode categories. Byte-level BPE (GPT-2, RoBERTa,
// DeBERTa v1) merges within these words only.
#pragma once

#include <string_view>
#include <vector>

namespace sweet {

// The words of `text`, as views into it, covering it exactly. Bytes that are not valid
// UTF-8 count as one symbol each (neither letter, digit nor space), so no input is lost.
std::vector<std::string_view> splitGpt2Words(std::string_view text);

}  // namespace sweet
