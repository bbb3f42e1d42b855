// A small per-thread, direct-mapped cache of word → id for words that are one vocabulary entry: frequent
// words then cost one probe into cache-resident memory instead of one trie probe per byte.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace ropelm {

class WordIdCache {
 public:
  static constexpr size_t kMaxWordBytes = 22;

  // `owner`: a number unique to the vocabulary (WordPiece's serial), so that one thread's cache never serves
  // ids of a vocabulary it was not filled from.
  static WordIdCache& for_thread(uint64_t owner) {
    thread_local WordIdCache cache;
    if (cache.owner_ != owner) {
      cache.slots_.fill(Slot{});
      cache.owner_ = owner;
    }
    return cache;
  }

  std::optional<TokenId> find(std::string_view word) const {
    const Slot& slot = slots_[slot_of(word)];
    if (slot.length != word.size() || word.empty() ||
        std::memcmp(slot.bytes, word.data(), word.size()) != 0) {
      return std::nullopt;
    }
    return slot.id;
  }

  void insert(std::string_view word, TokenId id) {
    if (word.size() > kMaxWordBytes || word.empty()) return;
    Slot& slot = slots_[slot_of(word)];
    slot.length = static_cast<uint8_t>(word.size());
    std::memcpy(slot.bytes, word.data(), word.size());
    slot.id = id;
  }

 private:
  static constexpr size_t kSlots = 16384;  // 512 KiB: stays in L2
  struct Slot {
    uint8_t length = 0;
    char bytes[kMaxWordBytes + 5] = {};
    TokenId id = -1;
  };

  static size_t slot_of(std::string_view word) {
    uint64_t hash = 0xCBF29CE484222325ULL;  // FNV-1a: words are short
    for (char byte : word) hash = (hash ^ static_cast<unsigned char>(byte)) * 0x100000001B3ULL;
    return static_cast<size_t>(hash ^ (hash >> 29)) & (kSlots - 1);
  }

  uint64_t owner_ = 0;
  std::array<Slot, kSlots> slots_{};
};

}  // namespace ropelm
