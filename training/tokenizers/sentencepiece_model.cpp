// spm.model reading: see sentencepiece_model.h.
#include "training/tokenizers/sentencepiece_model.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sweet {
namespace {

// Protobuf wire types.
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

// A cursor over one message's bytes. Every read checks the bounds; errors name the file
// and the field path being read.
class WireReader {
 public:
  WireReader(std::string_view bytes, const std::string& source, std::string where)
      : bytes_(bytes), source_(source), where_(std::move(where)) {}

  bool done() const { return pos_ >= bytes_.size(); }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) fail("truncated varint");
      const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail("varint longer than 10 bytes");
  }

  // Reads a tag; returns the field number and sets the wire type.
  uint32_t tag(int& wire_type) {
    const uint64_t t = varint();
    wire_type = static_cast<int>(t & 7);
    const uint64_t field = t >> 3;
    if (field == 0 || field > 0x1FFFFFFF) fail("invalid field number " + std::to_string(field));
    return static_cast<uint32_t>(field);
  }

  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > bytes_.size() - pos_) fail("length " + std::to_string(n) + " runs past the end");
    std::string_view out = bytes_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return out;
  }

  float fixed32Float() {
    if (bytes_.size() - pos_ < 4) fail("truncated 32-bit value");
    uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= static_cast<uint32_t>(static_cast<uint8_t>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 4;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }

  void skip(int wire_type) {
    switch (wire_type) {
      case kVarint: varint(); return;
      case kFixed64: advance(8); return;
      case kLengthDelimited: bytes(); return;
      case kFixed32: advance(4); return;
      default: fail("unsupported wire type " + std::to_string(wire_type));  // groups (3, 4) never occur here
    }
  }

  void expect(int wire_type, int wanted, const char* field) {
    if (wire_type != wanted) fail(std::string("field ") + field + " has wire type " + std::to_string(wire_type));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(source_ + ": not a valid SentencePiece model (" + where_ + " at byte " +
                             std::to_string(pos_) + ": " + what + ")");
  }

  const std::string& source() const { return source_; }

 private:
  void advance(size_t n) {
    if (bytes_.size() - pos_ < n) fail("truncated fixed-width value");
    pos_ += n;
  }

  std::string_view bytes_;
  const std::string& source_;
  std::string where_;
  size_t pos_ = 0;
};

SentencePieceModel::Piece parsePiece(std::string_view bytes, const std::string& source, size_t index) {
  WireReader r(bytes, source, "pieces[" + std::to_string(index) + "]");
  SentencePieceModel::Piece p;
  while (!r.done()) {
    int wt = 0;
    switch (r.tag(wt)) {
      case 1: r.expect(wt, kLengthDelimited, "piece"); p.piece = std::string(r.bytes()); break;
      case 2: r.expect(wt, kFixed32, "score"); p.score = r.fixed32Float(); break;
      case 3: {
        r.expect(wt, kVarint, "type");
        const uint64_t type = r.varint();
        if (type < 1 || type > 6) r.fail("unknown piece type " + std::to_string(type));
        p.type = static_cast<SentencePieceModel::PieceType>(type);
        break;
      }
      default: r.skip(wt);
    }
  }
  return p;
}

void parseTrainerSpec(std::string_view bytes, SentencePieceModel& m, const std::string& source) {
  WireReader r(bytes, source, "trainer_spec");
  while (!r.done()) {
    int wt = 0;
    switch (r.tag(wt)) {
      case 3: r.expect(wt, kVarint, "model_type"); m.model_type = static_cast<int32_t>(r.varint()); break;
      case 24: r.expect(wt, kVarint, "treat_whitespace_as_suffix"); m.treat_whitespace_as_suffix = r.varint() != 0; break;
      case 35: r.expect(wt, kVarint, "byte_fallback"); m.byte_fallback = r.varint() != 0; break;
      default: r.skip(wt);
    }
  }
}

void parseNormalizerSpec(std::string_view bytes, SentencePieceModel& m, const std::string& source) {
  WireReader r(bytes, source, "normalizer_spec");
  while (!r.done()) {
    int wt = 0;
    switch (r.tag(wt)) {
      case 1: r.expect(wt, kLengthDelimited, "name"); m.normalizer_name = std::string(r.bytes()); break;
      case 2: r.expect(wt, kLengthDelimited, "precompiled_charsmap"); m.precompiled_charsmap = std::string(r.bytes()); break;
      case 3: r.expect(wt, kVarint, "add_dummy_prefix"); m.add_dummy_prefix = r.varint() != 0; break;
      case 4: r.expect(wt, kVarint, "remove_extra_whitespaces"); m.remove_extra_whitespaces = r.varint() != 0; break;
      case 5: r.expect(wt, kVarint, "escape_whitespaces"); m.escape_whitespaces = r.varint() != 0; break;
      default: r.skip(wt);
    }
  }
}

}  // namespace

SentencePieceModel parseSentencePieceModel(std::string_view bytes, const std::string& source) {
  SentencePieceModel m;
  WireReader r(bytes, source, "ModelProto");
  bool has_trainer_spec = false, has_normalizer_spec = false;
  while (!r.done()) {
    int wt = 0;
    switch (r.tag(wt)) {
      case 1: r.expect(wt, kLengthDelimited, "pieces"); m.pieces.push_back(parsePiece(r.bytes(), source, m.pieces.size())); break;
      case 2: r.expect(wt, kLengthDelimited, "trainer_spec"); parseTrainerSpec(r.bytes(), m, source); has_trainer_spec = true; break;
      case 3: r.expect(wt, kLengthDelimited, "normalizer_spec"); parseNormalizerSpec(r.bytes(), m, source); has_normalizer_spec = true; break;
      default: r.skip(wt);
    }
  }
  if (m.pieces.empty()) throw std::runtime_error(source + ": not a valid SentencePiece model (no pieces)");
  // The trainer writes pieces, then the specs: a file cut at a field boundary parses, but
  // lacks them, and would silently tokenize with default settings.
  if (!has_trainer_spec || !has_normalizer_spec)
    throw std::runtime_error(source + ": SentencePiece model has no " +
                             std::string(has_trainer_spec ? "normalizer_spec" : "trainer_spec") + " (truncated file?)");
  return m;
}

SentencePieceModel readSentencePieceModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open SentencePiece model");
  std::ostringstream s;
  s << in.rdbuf();
  return parseSentencePieceModel(s.str(), path);
}

}  // namespace sweet
