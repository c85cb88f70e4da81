// Picking and loading a checkpoint's tokenizer: see tokenizer_files.h.
#include "training/tokenizers/tokenizer_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "training/tokenizers/byte_level_bpe_tokenizer.h"
#include "training/tokenizers/sentencepiece_tokenizer.h"
#include "training/tokenizers/wordpiece_tokenizer.h"

namespace fs = std::filesystem;

namespace sweet {

const char* tokenizerKindName(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::kWordPiece: return "WordPiece";
    case TokenizerKind::kByteLevelBpe: return "byte-level BPE";
    case TokenizerKind::kSentencePiece: return "SentencePiece";
  }
  return "unknown";
}

std::vector<std::string> tokenizerFileNames(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::kWordPiece: return {"vocab.txt"};
    case TokenizerKind::kByteLevelBpe: return {"vocab.json", "merges.txt"};
    case TokenizerKind::kSentencePiece: return {"spm.model"};
  }
  return {};
}

std::optional<TokenizerFiles> findTokenizerFiles(const std::string& dirName) {
  const fs::path dir(dirName);
  TokenizerFiles files;
  if (fs::exists(dir / "spm.model")) {
    files = {TokenizerKind::kSentencePiece, {(dir / "spm.model").string()}, false};
  } else if (fs::exists(dir / "vocab.json")) {
    if (!fs::exists(dir / "merges.txt"))
      throw std::runtime_error((dir / "vocab.json").string() + ": a byte-level BPE vocabulary needs merges.txt beside it");
    files = {TokenizerKind::kByteLevelBpe, {(dir / "vocab.json").string(), (dir / "merges.txt").string()}, false};
  } else if (fs::exists(dir / "vocab.txt")) {
    files = TokenizerFiles::wordPiece((dir / "vocab.txt").string(), true);  // BERT's default is uncased
  } else {
    return std::nullopt;
  }
  const fs::path config = dir / "tokenizer_config.json";
  if (fs::exists(config)) {
    std::ifstream in(config);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(config.string() + ": not valid JSON: " + e.what());
    }
    if (j.is_object() && j.contains("do_lower_case") && j["do_lower_case"].is_boolean())
      files.do_lower_case = j["do_lower_case"].get<bool>();
    // DebertaV2Tokenizer's split_by_punct (off in DeBERTa v2/v3's own files) encodes each
    // punctuation-delimited run apart; ids would differ silently, so say so instead.
    if (files.kind == TokenizerKind::kSentencePiece && j.is_object() && j.contains("split_by_punct") &&
        j["split_by_punct"].is_boolean() && j["split_by_punct"].get<bool>())
      throw std::runtime_error(config.string() + ": split_by_punct is not supported (ids would differ from Hugging Face's)");
  }
  return files;
}

std::unique_ptr<Tokenizer> loadTokenizer(const TokenizerFiles& files) {
  const size_t wanted = files.kind == TokenizerKind::kByteLevelBpe ? 2 : 1;
  if (files.files.size() != wanted)
    throw std::invalid_argument(std::string(tokenizerKindName(files.kind)) + " needs " + std::to_string(wanted) +
                                " vocabulary file(s), got " + std::to_string(files.files.size()));
  switch (files.kind) {
    case TokenizerKind::kWordPiece:
      return std::make_unique<WordPieceTokenizer>(files.files[0], files.do_lower_case);
    case TokenizerKind::kByteLevelBpe:
      // GPT-2's tokenizer (and DeBERTa v1's, built on it) never lower-cases.
      return std::make_unique<ByteLevelBpeTokenizer>(files.files[0], files.files[1]);
    case TokenizerKind::kSentencePiece:
      return std::make_unique<SentencePieceTokenizer>(files.files[0], files.do_lower_case);
  }
  throw std::invalid_argument("unknown tokenizer kind");
}

const TokenizerFiles& requireTokenizerFiles(const std::optional<TokenizerFiles>& files, const std::string& dir) {
  if (!files)
    throw std::runtime_error(dir + ": no tokenizer files in the folder (expected vocab.txt, vocab.json + merges.txt, "
                                   "or spm.model)");
  return *files;
}

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& dir) {
  return loadTokenizer(requireTokenizerFiles(findTokenizerFiles(dir), dir));
}

}  // namespace sweet
