// BERT's "basic" pre-tokenizer: text cleanup, CJK spacing, optional lower-casing with
// accent stripping, and punctuation splitting, exactly as BERT's tokenization.py and
// Hugging Face's BasicTokenizer do. Unicode properties come from utf8proc.
#pragma once

#include <string>
#include <vector>

namespace sweet {

class BasicTokenizer {
 public:
  explicit BasicTokenizer(bool do_lower_case = true) : do_lower_case_(do_lower_case) {}
  // UTF-8 in, UTF-8 words out.
  std::vector<std::string> tokenize(const std::string& text) const;

 private:
  bool do_lower_case_;
};

}  // namespace sweet
