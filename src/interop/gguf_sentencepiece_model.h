// The parts of a sentencepiece .model file (a ModelProto, sentencepiece_model.proto) that GGUF's `llama`
// tokenizer carries: pieces with scores and types, the model type and the whitespace handling. Read for
// export (the tokenizer shim exposes no scores) and written for import. Protobuf's wire format, by hand: the
// shim owns the only protobuf library ropelm may load (docs/libtorch-notes.md#two-protobufs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ropelm {

struct SpmProtoPiece {
  std::string piece;
  float score = 0.0f;
  int32_t type = 1;  // NORMAL=1 UNKNOWN=2 CONTROL=3 USER_DEFINED=4 UNUSED=5 BYTE=6, as GGUF's token types
};

struct SpmModelProto {
  std::vector<SpmProtoPiece> pieces;
  int32_t model_type = 1;  // TrainerSpec.ModelType: UNIGRAM=1 BPE=2 WORD=3 CHAR=4
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  std::string normalizer_name;  // e.g. nmt_nfkc, identity
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  // TrainerSpec's names of the special pieces (sentencepiece finds bos/eos/pad by these).
  std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
};

inline constexpr int32_t kSentencePieceBpe = 2;

// Throws UserError naming `origin` when the bytes are not a well-formed ModelProto.
SpmModelProto parse_sentencepiece_model(std::string_view bytes, const std::string& origin);

// A ModelProto sentencepiece loads: the pieces, the trainer spec's model type and special pieces, and an
// identity normalizer with the model's whitespace flags.
std::string serialize_sentencepiece_model(const SpmModelProto& model);

}  // namespace ropelm
