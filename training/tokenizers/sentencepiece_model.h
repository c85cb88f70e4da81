// The parts of a SentencePiece model file (spm.model, a serialized sentencepiece ModelProto)
// that encoding needs, read with a small protobuf wire-format reader: linking
// libsentencepiece is not an option, its embedded protobuf clashes with libtorch's (see
// ../shared/notes/toolchain.md). Unknown fields are skipped, as protobuf does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sweet {

struct SentencePieceModel {
  // ModelProto.SentencePiece.Type
  enum class PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
  struct Piece {
    std::string piece;
    float score = 0.0f;
    PieceType type = PieceType::kNormal;
  };
  std::vector<Piece> pieces;

  // TrainerSpec (defaults as in sentencepiece_model.proto)
  int32_t model_type = 1;  // 1 unigram, 2 BPE, 3 word, 4 char
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;

  // NormalizerSpec
  std::string normalizer_name;
  std::string precompiled_charsmap;  // empty: no character normalisation
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// Parses a serialized ModelProto. `source` names the file in messages; throws
// std::runtime_error on truncated or malformed input.
SentencePieceModel parseSentencePieceModel(std::string_view bytes, const std::string& source);
// Reads and parses a file; throws naming it when it cannot be read or parsed.
SentencePieceModel readSentencePieceModel(const std::string& path);

}  // namespace sweet
