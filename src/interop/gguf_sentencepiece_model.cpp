// ModelProto in protobuf's wire format: varint keys (field << 3 | wire type), varints, fixed32 floats and
// length-delimited strings and messages; fields ropelm does not need are skipped.
#include "interop/gguf_sentencepiece_model.h"

#include <cstring>
#include <functional>

#include "util/error.h"

namespace ropelm {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

// Field numbers of sentencepiece_model.proto.
enum : uint32_t {
  kModelPieces = 1,
  kModelTrainerSpec = 2,
  kModelNormalizerSpec = 3,
  kPiecePiece = 1,
  kPieceScore = 2,
  kPieceType = 3,
  kTrainerModelType = 3,
  kTrainerWhitespaceAsSuffix = 24,
  kTrainerByteFallback = 35,
  kTrainerUnkPiece = 45,
  kTrainerBosPiece = 46,
  kTrainerEosPiece = 47,
  kTrainerPadPiece = 48,
  kNormalizerName = 1,
  kNormalizerAddDummyPrefix = 3,
  kNormalizerRemoveExtraWhitespaces = 4,
  kNormalizerEscapeWhitespaces = 5,
};

struct Field {
  uint32_t number;
  uint32_t wire;
  uint64_t varint = 0;
  std::string_view bytes;  // kLength: the payload; kFixed32: its 4 bytes
};

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& origin) : bytes_(bytes), origin_(origin) {}

  // Calls visit for each field of the message.
  void each(const std::function<void(const Field&)>& visit) {
    while (pos_ < bytes_.size()) visit(next());
  }

 private:
  [[noreturn]] void fail() const {
    throw UserError(origin_ + " is not a sentencepiece model (malformed protobuf at byte " +
                    std::to_string(pos_) + ")");
  }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) fail();
      const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    fail();
  }

  std::string_view take(uint64_t size) {
    if (size > bytes_.size() - pos_) fail();
    std::string_view part = bytes_.substr(pos_, size);
    pos_ += size;
    return part;
  }

  Field next() {
    const uint64_t key = varint();
    Field field{static_cast<uint32_t>(key >> 3), static_cast<uint32_t>(key & 7)};
    switch (field.wire) {
      case kVarint:
        field.varint = varint();
        break;
      case kFixed64:
        take(8);
        break;
      case kLength:
        field.bytes = take(varint());
        break;
      case kFixed32:
        field.bytes = take(4);
        break;
      default:
        fail();
    }
    return field;
  }

  std::string_view bytes_;
  const std::string& origin_;
  size_t pos_ = 0;
};

SpmProtoPiece parse_piece(std::string_view bytes, const std::string& origin) {
  SpmProtoPiece piece;
  Reader(bytes, origin).each([&](const Field& f) {
    if (f.number == kPiecePiece && f.wire == kLength) piece.piece = std::string(f.bytes);
    if (f.number == kPieceScore && f.wire == kFixed32) std::memcpy(&piece.score, f.bytes.data(), 4);
    if (f.number == kPieceType && f.wire == kVarint) piece.type = static_cast<int32_t>(f.varint);
  });
  return piece;
}

void parse_trainer_spec(std::string_view bytes, const std::string& origin, SpmModelProto& model) {
  Reader(bytes, origin).each([&](const Field& f) {
    if (f.wire == kVarint && f.number == kTrainerModelType) model.model_type = static_cast<int32_t>(f.varint);
    if (f.wire == kVarint && f.number == kTrainerByteFallback) model.byte_fallback = f.varint != 0;
    if (f.wire == kVarint && f.number == kTrainerWhitespaceAsSuffix)
      model.treat_whitespace_as_suffix = f.varint != 0;
    if (f.wire != kLength) return;
    if (f.number == kTrainerUnkPiece) model.unk_piece = std::string(f.bytes);
    if (f.number == kTrainerBosPiece) model.bos_piece = std::string(f.bytes);
    if (f.number == kTrainerEosPiece) model.eos_piece = std::string(f.bytes);
    if (f.number == kTrainerPadPiece) model.pad_piece = std::string(f.bytes);
  });
}

void parse_normalizer_spec(std::string_view bytes, const std::string& origin, SpmModelProto& model) {
  Reader(bytes, origin).each([&](const Field& f) {
    if (f.number == kNormalizerName && f.wire == kLength) model.normalizer_name = std::string(f.bytes);
    if (f.number == kNormalizerAddDummyPrefix && f.wire == kVarint) model.add_dummy_prefix = f.varint != 0;
    if (f.number == kNormalizerRemoveExtraWhitespaces && f.wire == kVarint)
      model.remove_extra_whitespaces = f.varint != 0;
  });
}

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_key(std::string& out, uint32_t number, WireType wire) {
  put_varint(out, number << 3 | wire);
}

void put_bytes(std::string& out, uint32_t number, std::string_view bytes) {
  put_key(out, number, kLength);
  put_varint(out, bytes.size());
  out += bytes;
}

void put_uint(std::string& out, uint32_t number, uint64_t value) {
  put_key(out, number, kVarint);
  put_varint(out, value);
}

std::string piece_bytes(const SpmProtoPiece& piece) {
  std::string out;
  put_bytes(out, kPiecePiece, piece.piece);
  put_key(out, kPieceScore, kFixed32);
  char score[4];
  std::memcpy(score, &piece.score, 4);
  out.append(score, 4);
  put_uint(out, kPieceType, static_cast<uint64_t>(piece.type));
  return out;
}

}  // namespace

SpmModelProto parse_sentencepiece_model(std::string_view bytes, const std::string& origin) {
  SpmModelProto model;
  Reader(bytes, origin).each([&](const Field& f) {
    if (f.wire != kLength) return;
    if (f.number == kModelPieces) model.pieces.push_back(parse_piece(f.bytes, origin));
    if (f.number == kModelTrainerSpec) parse_trainer_spec(f.bytes, origin, model);
    if (f.number == kModelNormalizerSpec) parse_normalizer_spec(f.bytes, origin, model);
  });
  if (model.pieces.empty()) throw UserError(origin + " is not a sentencepiece model (it has no pieces)");
  return model;
}

std::string serialize_sentencepiece_model(const SpmModelProto& model) {
  std::string out;
  for (const auto& piece : model.pieces) put_bytes(out, kModelPieces, piece_bytes(piece));
  std::string trainer;
  put_uint(trainer, kTrainerModelType, static_cast<uint64_t>(model.model_type));
  put_uint(trainer, kTrainerWhitespaceAsSuffix, model.treat_whitespace_as_suffix);
  put_uint(trainer, kTrainerByteFallback, model.byte_fallback);
  put_bytes(trainer, kTrainerUnkPiece, model.unk_piece);
  put_bytes(trainer, kTrainerBosPiece, model.bos_piece);
  put_bytes(trainer, kTrainerEosPiece, model.eos_piece);
  put_bytes(trainer, kTrainerPadPiece, model.pad_piece);
  put_bytes(out, kModelTrainerSpec, trainer);
  std::string normalizer;
  put_bytes(normalizer, kNormalizerName, "identity");
  put_uint(normalizer, kNormalizerAddDummyPrefix, model.add_dummy_prefix);
  put_uint(normalizer, kNormalizerRemoveExtraWhitespaces, model.remove_extra_whitespaces);
  put_uint(normalizer, kNormalizerEscapeWhitespaces, 1);
  put_bytes(out, kModelNormalizerSpec, normalizer);
  return out;
}

}  // namespace ropelm
