// SentencePiece unigram tokenization (DeBERTa v2/v3's spm.model), natively: the model's
// normaliser, then the Viterbi path over the pieces by score, with sentencepiece's rules
// for unknown characters (one unknown piece per character, scored below every piece) and
// byte fallback (an unknown character becomes its UTF-8 bytes' <0xNN> pieces). Pair layout
// as Hugging Face's DebertaV2Tokenizer: [CLS] a [SEP] b [SEP], token types 0 / 1.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "training/tokenizers/sentencepiece_model.h"
#include "training/tokenizers/sentencepiece_normalizer.h"
#include "training/tokenizers/tokenizer.h"

namespace sweet {

class SentencePieceTokenizer : public Tokenizer {
 public:
  // Throws naming the file when it is not a unigram SentencePiece model sentencepiece
  // would accept (no unknown piece, duplicate pieces, byte pieces without byte_fallback...).
  SentencePieceTokenizer(const std::string& spm_model, bool do_lower_case);
  SentencePieceTokenizer(const SentencePieceModel& model, const std::string& source, bool do_lower_case);

  std::vector<std::string> tokenize(const std::string& text) const override;
  std::vector<int64_t> tokenIds(const std::string& text) const override;
  int64_t vocabSize() const override { return static_cast<int64_t>(pieces_.size()); }

  // The id of a piece, the unknown id when absent.
  int64_t idOf(const std::string& piece) const;
  const std::string& pieceOf(int64_t id) const { return pieces_.at(static_cast<size_t>(id)).piece; }
  std::string normalize(const std::string& text) const { return normalizer_.normalize(text); }

 private:
  // Viterbi segmentation of normalised text: piece ids, after byte fallback.
  std::vector<int64_t> encodeNormalized(const std::string& normalized) const;
  void buildTrie();

  std::vector<SentencePieceModel::Piece> pieces_;
  SentencePieceNormalizer normalizer_;
  std::unordered_map<std::string, int64_t> ids_;
  // The child of `node` along byte `label`, or -1.
  int64_t child(uint32_t node, unsigned char label) const;

  // Matching pieces: a byte trie stored compactly (children of node n are
  // child_label_/child_node_[child_begin_[n], child_begin_[n + 1]), sorted by label) so a
  // lookup stays in cache: with 128k pieces, a hash map per edge made encoding about half
  // as fast (SST-2 train, measured 22k vs 42k sentences/s).
  std::vector<uint32_t> child_begin_;
  std::vector<unsigned char> child_label_;
  std::vector<uint32_t> child_node_;
  std::vector<int32_t> node_piece_;  // the piece a node spells, or -1
  int64_t byte_ids_[256];
  bool byte_fallback_ = false;
  bool do_lower_case_ = false;
  float min_score_ = 0.0f, max_score_ = 0.0f;
};

}  // namespace sweet
