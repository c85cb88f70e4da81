// Which tokenizer a checkpoint folder uses, decided from the files it holds, and loading
// it: spm.model (SentencePiece unigram: DeBERTa v2/v3), vocab.json + merges.txt
// (byte-level BPE: GPT-2, RoBERTa, DeBERTa v1) or vocab.txt (WordPiece: BERT), in that
// order of preference; tokenizer_config.json's do_lower_case applies to each.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "training/tokenizers/tokenizer.h"

namespace sweet {

enum class TokenizerKind { kWordPiece, kByteLevelBpe, kSentencePiece };

const char* tokenizerKindName(TokenizerKind kind);  // "WordPiece", "byte-level BPE", "SentencePiece"
// The names the files of a kind have in a checkpoint folder, in TokenizerFiles::files order.
std::vector<std::string> tokenizerFileNames(TokenizerKind kind);

struct TokenizerFiles {
  TokenizerKind kind = TokenizerKind::kWordPiece;
  // The vocabulary files, in the order the tokenizer reads them: {vocab.txt},
  // {vocab.json, merges.txt} or {spm.model}. A saved model copies exactly these.
  std::vector<std::string> files;
  bool do_lower_case = true;

  static TokenizerFiles wordPiece(const std::string& vocab_txt, bool do_lower_case) {
    return {TokenizerKind::kWordPiece, {vocab_txt}, do_lower_case};
  }
};

// What `dir` holds; std::nullopt when it has no vocabulary files at all. Throws naming the
// file when tokenizer_config.json is not JSON, or vocab.json comes without merges.txt.
std::optional<TokenizerFiles> findTokenizerFiles(const std::string& dir);

// The files, or the one error every caller gives for a folder without a vocabulary
// (naming `dir` and the files looked for).
const TokenizerFiles& requireTokenizerFiles(const std::optional<TokenizerFiles>& files, const std::string& dir);

// Builds the tokenizer the files describe (throws naming the file at fault).
std::unique_ptr<Tokenizer> loadTokenizer(const TokenizerFiles& files);
// findTokenizerFiles + loadTokenizer; throws naming the folder when it has no vocabulary.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string& dir);

}  // namespace sweet
