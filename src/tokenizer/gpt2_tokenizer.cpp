// The GPT-2 Tokenizer: <|endoftext|> matching, pre-tokens, whole-token look-up, a shared cache, then BPE
// merging.
#include <array>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer/gpt2_bpe.h"
#include "util/error.h"
#include "util/sha256.h"

namespace ropelm {
namespace {

constexpr std::string_view kEndOfText = "<|endoftext|>";

// Pre-token → ids for pieces that are not a token themselves. The corpus encoder calls encode() from several
// threads: shards keep lock contention rare. A full shard is cleared (real text repeats few rare pieces).
class PieceCache {
 public:
  bool append_to(std::string_view piece, std::vector<TokenId>& out) const {
    const Shard& shard = shard_of(piece);
    std::lock_guard lock(shard.mutex);
    auto it = shard.ids.find(piece);
    if (it == shard.ids.end()) return false;
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  }

  void insert(std::string_view piece, std::span<const TokenId> ids) {
    Shard& shard = shard_of(piece);
    std::lock_guard lock(shard.mutex);
    if (shard.ids.size() >= kShardCapacity) shard.ids.clear();
    shard.ids.emplace(piece, std::vector<TokenId>(ids.begin(), ids.end()));
  }

 private:
  static constexpr size_t kShards = 64;
  static constexpr size_t kShardCapacity = 4096;
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::vector<TokenId>, gpt2::BytesHash, std::equal_to<>> ids;
  };
  const Shard& shard_of(std::string_view piece) const { return shards_[gpt2::BytesHash{}(piece) % kShards]; }
  Shard& shard_of(std::string_view piece) { return shards_[gpt2::BytesHash{}(piece) % kShards]; }

  std::array<Shard, kShards> shards_;
};

class Gpt2Tokenizer final : public Tokenizer {
 public:
  Gpt2Tokenizer(gpt2::Gpt2Model model, std::string content_hash, bool split_special_tokens)
      : model_(std::move(model)),
        content_hash_(std::move(content_hash)),
        split_special_(split_special_tokens) {}

  // Like tiktoken's encode(text, allowed_special="all") (HF's default): the text between <|endoftext|>s is
  // encoded on its own; split_special_tokens gives encode_ordinary(), which spells it out as ordinary text.
  std::vector<TokenId> encode(std::string_view text) const override {
    std::vector<TokenId> ids;
    ids.reserve(text.size() / 3);
    size_t pos = 0;
    if (!split_special_) {
      for (size_t special = text.find(kEndOfText); special != std::string_view::npos;
           special = text.find(kEndOfText, pos)) {
        encode_ordinary(text.substr(0, special), pos, ids);
        ids.push_back(model_.end_of_text);
        pos = special + kEndOfText.size();
      }
    }
    encode_ordinary(text, pos, ids);
    return ids;
  }

  std::string decode(std::span<const TokenId> ids) const override {
    std::string bytes;
    for (TokenId id : ids) bytes += model_.token_bytes[checked(id)];
    return bytes;
  }

  std::string token(TokenId id) const override { return model_.token_text[checked(id)]; }
  int64_t vocab_size() const override { return static_cast<int64_t>(model_.token_text.size()); }
  TokenId end_of_document_id() const override { return model_.end_of_text; }
  std::optional<TokenId> unk_id() const override { return std::nullopt; }
  std::optional<TokenId> cls_id() const override { return std::nullopt; }
  std::optional<TokenId> sep_id() const override { return std::nullopt; }
  std::string content_hash() const override { return content_hash_; }

  size_t safe_cut(std::string_view text, size_t begin) const override {
    return gpt2::pre_token_safe_cut(text, begin);
  }

 private:
  // text ends where this stretch without special tokens ends; offsets stay those of the caller's text.
  void encode_ordinary(std::string_view text, size_t pos, std::vector<TokenId>& ids) const {
    while (pos < text.size()) {
      size_t end = gpt2::pre_token_end(text, pos);
      encode_piece(text.substr(pos, end - pos), ids);
      pos = end;
    }
  }

  // tiktoken first looks the whole piece up (most words are one token) and only then merges.
  void encode_piece(std::string_view piece, std::vector<TokenId>& ids) const {
    TokenId whole = model_.mergeable.find(piece);
    if (whole >= 0) {
      ids.push_back(whole);
      return;
    }
    if (cache_.append_to(piece, ids)) return;
    size_t first = ids.size();
    gpt2::bpe_merge(model_, piece, ids);
    cache_.insert(piece, std::span<const TokenId>(ids).subspan(first));
  }

  size_t checked(TokenId id) const {
    if (id < 0 || id >= vocab_size()) {
      throw UserError("token id " + std::to_string(id) + " is outside the GPT-2 vocabulary [0, " +
                      std::to_string(vocab_size()) + ")");
    }
    return static_cast<size_t>(id);
  }

  gpt2::Gpt2Model model_;
  std::string content_hash_;
  bool split_special_;
  mutable PieceCache cache_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_gpt2_tokenizer(const TokenizerConfig& config) {
  if (config.merges.empty()) {
    throw UserError("tokenizer.merges: the gpt2 tokenizer needs the merges file (vocab.bpe / merges.txt)");
  }
  gpt2::Gpt2Model model = gpt2::load_gpt2_model(config.vocab, config.merges);
  std::string hash = sha256_hex("gpt2\n" + sha256_file(config.vocab) + "\n" + sha256_file(config.merges) +
                                "\nsplit_special_tokens=" + (config.split_special_tokens ? "1" : "0"));
  return std::make_unique<Gpt2Tokenizer>(std::move(model), std::move(hash), config.split_special_tokens);
}

}  // namespace ropelm
