// GPT-2's byte-level BPE tokenizer (encoder.json + vocab.bpe), giving the same ids as tiktoken's "gpt2".
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace ropelm {

// tokenizer.vocab = encoder.json (HF vocab.json), tokenizer.merges = vocab.bpe (HF merges.txt). Throws
// UserError naming the file (and line) when either is missing or malformed.
std::unique_ptr<Tokenizer> make_gpt2_tokenizer(const TokenizerConfig& config);

namespace gpt2 {

// GPT-2's bytes_to_unicode(): every byte as a printable code point, so vocabulary files are plain text.
std::string byte_to_unicode(std::string_view bytes);
// The inverse; false when a code point is outside the 256-symbol alphabet (or the text is not UTF-8).
bool unicode_to_bytes(std::string_view text, std::string& bytes);

// The classes GPT-2's pre-tokenizer pattern distinguishes: \p{L}, \p{N}, \s (Unicode White_Space), the rest.
enum class CharClass : uint8_t { kLetter, kNumber, kSpace, kOther };
CharClass char_class(char32_t code_point);

// End of the pre-token that starts at `begin` (< text.size()) under GPT-2's pattern
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ , with text.size() as the end of
// the input. Throws UserError naming the byte offset of invalid UTF-8.
size_t pre_token_end(std::string_view text, size_t begin);

// First offset p >= begin where a non-whitespace character is followed by ASCII whitespace (text.size() if
// none).
size_t pre_token_safe_cut(std::string_view text, size_t begin);

// Hashes byte strings so that maps keyed by std::string are searched with a string_view, without a copy.
struct BytesHash {
  using is_transparent = void;
  size_t operator()(std::string_view bytes) const { return std::hash<std::string_view>{}(bytes); }
};
// Maps byte strings (tokens' raw bytes) to ids.
using ByteStringIds = std::unordered_map<std::string, TokenId, BytesHash, std::equal_to<>>;

// The whole-token look-up every pre-token starts with (9 in 10 English pre-tokens are one token): open
// addressing over 32-byte slots that hold keys of up to 16 bytes inline, so a look-up usually touches one
// cache line, where a node-based map chases three pointers. Built once, then read-only (safe to share between
// threads).
class TokenTable {
 public:
  void insert(std::string_view bytes, TokenId id);
  // The id of `bytes`, or -1.
  TokenId find(std::string_view bytes) const;

 private:
  static constexpr size_t kInline = 16;
  struct Slot {
    std::array<char, kInline> inline_bytes{};  // the key when it fits, else its first bytes
    uint32_t length = 0;
    uint32_t long_offset = 0;  // longer keys: where in long_bytes_ the whole key starts
    uint32_t hash_tag = 0;     // high hash bits, to skip most mismatching slots without comparing bytes
    TokenId id = -1;           // -1: empty
  };
  bool matches(const Slot& slot, std::string_view bytes, uint32_t tag) const;
  void grow();

  std::vector<Slot> slots_;
  std::string long_bytes_;
  size_t size_ = 0;
};

// The loaded vocabulary and merge table. Merging follows tiktoken: two adjacent tokens merge when their byte
// concatenation is a token made by a merge, lowest merge rank first.
struct Gpt2Model {
  std::vector<std::string> token_text;   // id → vocabulary entry (byte_to_unicode alphabet)
  std::vector<std::string> token_bytes;  // id → raw bytes
  std::array<TokenId, 256> byte_ids{};   // byte → its single-byte token
  TokenTable mergeable;  // raw bytes → id, single bytes and merge results only (tiktoken's ranks)
  // (left id << 32 | right id) → (merge rank << 32 | merged id)
  std::unordered_map<uint64_t, uint64_t> pairs;
  TokenId end_of_text = -1;
};

Gpt2Model load_gpt2_model(const std::filesystem::path& encoder_json, const std::filesystem::path& vocab_bpe);

// Byte-pair encodes one pre-token, appending its ids to `out`.
void bpe_merge(const Gpt2Model& model, std::string_view piece, std::vector<TokenId>& out);

}  // namespace gpt2
}  // namespace ropelm
