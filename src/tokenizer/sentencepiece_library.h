// sentencepiece through the shim library: finding and dlopen()ing libropelm_spm.so, and a C++ face on its C
// API.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

struct RopelmSpmModel;

namespace ropelm {

enum class SentencePieceKind { kNormal, kUnknown, kControl, kUnused, kByte };

// A loaded .model file. Every call goes through the shim; encode/decode are safe from several threads.
class SentencePieceModel {
 public:
  // Throws UserError naming the path when the file is missing or not a sentencepiece model, or when the shim
  // cannot be found.
  explicit SentencePieceModel(const std::filesystem::path& path);
  ~SentencePieceModel();
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  std::vector<TokenId> encode(std::string_view text) const;
  std::string decode(std::span<const TokenId> ids) const;
  int32_t piece_count() const;
  // id must be in [0, piece_count()).
  std::string piece(TokenId id) const;
  SentencePieceKind kind(TokenId id) const;
  std::optional<TokenId> unk_id() const;
  std::optional<TokenId> bos_id() const;
  std::optional<TokenId> eos_id() const;

 private:
  std::optional<TokenId> special_id(int which) const;
  RopelmSpmModel* model_;
};

// Runs sentencepiece's trainer with its command-line option syntax; throws UserError with its message.
void train_sentencepiece(const std::string& options);

}  // namespace ropelm
