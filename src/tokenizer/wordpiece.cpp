// WordPiece: greedy longest-match-first, as HF's WordPiece::tokenize.
#include "tokenizer/wordpiece.h"

#include <atomic>

#include "tokenizer/word_id_cache.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

constexpr std::string_view kContinuationPrefix = "##";
std::atomic<uint64_t> next_serial{1};

}  // namespace

WordPiece::WordPiece(std::vector<std::string> tokens, TokenId unk_id)
    : tokens_(std::move(tokens)), unk_id_(unk_id), serial_(next_serial++) {
  for (size_t id = 0; id < tokens_.size(); ++id) {
    std::string_view token = tokens_[id];
    trie_.insert(word_start_, token, static_cast<TokenId>(id));
    if (token.starts_with(kContinuationPrefix) && token.size() > kContinuationPrefix.size()) {
      trie_.insert(continuation_, token.substr(kContinuationPrefix.size()), static_cast<TokenId>(id));
    }
  }
}

void WordPiece::encode_word(std::string_view word, std::vector<TokenId>& out) const {
  if (word.size() > kMaxWordChars && utf8::count_code_points(word) > kMaxWordChars) {
    out.push_back(unk_id_);
    return;
  }
  WordIdCache& cache = WordIdCache::for_thread(serial_);
  if (std::optional<TokenId> id = cache.find(word)) {
    out.push_back(*id);
    return;
  }
  size_t first_piece = out.size();
  encode_with_trie(word, out);
  if (out.size() == first_piece + 1) cache.insert(word, out.back());
}

void WordPiece::encode_with_trie(std::string_view word, std::vector<TokenId>& out) const {
  // HF tries every end from the whole rest of the word down and takes the first entry found: the longest
  // entry that prefixes the rest, which the trie finds directly.
  size_t first_piece = out.size();
  for (size_t begin = 0; begin < word.size();) {
    auto match = trie_.longest_prefix(begin == 0 ? word_start_ : continuation_, word.substr(begin));
    if (!match) {
      out.resize(first_piece);
      out.push_back(unk_id_);
      return;
    }
    out.push_back(match->id);
    begin += match->length;
  }
}

}  // namespace ropelm
