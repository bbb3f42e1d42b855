// TokenTable: GPT-2's byte string → id look-up as a flat open-addressing hash table (linear probing).
#include <algorithm>
#include <cstring>

#include "tokenizer/gpt2_bpe.h"

namespace ropelm::gpt2 {
namespace {

// A multiply-xorshift hash over 8-byte words: pre-tokens are short, so a word at a time beats a byte loop.
uint64_t hash_bytes(std::string_view bytes) {
  uint64_t hash = 0x9e3779b97f4a7c15ull ^ (bytes.size() * 0xff51afd7ed558ccdull);
  size_t pos = 0;
  for (; pos + 8 <= bytes.size(); pos += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + pos, 8);
    hash = (hash ^ word) * 0xc4ceb9fe1a85ec53ull;
    hash ^= hash >> 31;
  }
  if (pos < bytes.size()) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + pos, bytes.size() - pos);
    hash = (hash ^ word) * 0xc4ceb9fe1a85ec53ull;
  }
  hash ^= hash >> 29;
  hash *= 0xbf58476d1ce4e5b9ull;
  return hash ^ (hash >> 32);
}

}  // namespace

bool TokenTable::matches(const Slot& slot, std::string_view bytes, uint32_t tag) const {
  if (slot.hash_tag != tag || slot.length != bytes.size()) return false;
  if (bytes.size() <= kInline) return std::memcmp(slot.inline_bytes.data(), bytes.data(), bytes.size()) == 0;
  return std::memcmp(long_bytes_.data() + slot.long_offset, bytes.data(), bytes.size()) == 0;
}

TokenId TokenTable::find(std::string_view bytes) const {
  if (slots_.empty()) return -1;
  uint64_t hash = hash_bytes(bytes);
  auto tag = static_cast<uint32_t>(hash >> 32);
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id < 0) return -1;
    if (matches(slot, bytes, tag)) return slot.id;
  }
}

void TokenTable::insert(std::string_view bytes, TokenId id) {
  if ((size_ + 1) * 2 > slots_.size()) grow();  // at most half full: short probe runs
  uint64_t hash = hash_bytes(bytes);
  auto tag = static_cast<uint32_t>(hash >> 32);
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  for (; slots_[i].id >= 0; i = (i + 1) & mask) {
    if (matches(slots_[i], bytes, tag))
      return;  // the first id of a key wins, like std::unordered_map::emplace
  }
  Slot& slot = slots_[i];
  slot.inline_bytes.fill(0);
  std::memcpy(slot.inline_bytes.data(), bytes.data(), std::min(bytes.size(), kInline));
  slot.length = static_cast<uint32_t>(bytes.size());
  if (bytes.size() > kInline) {
    slot.long_offset = static_cast<uint32_t>(long_bytes_.size());
    long_bytes_.append(bytes);
  }
  slot.hash_tag = tag;
  slot.id = id;
  ++size_;
}

void TokenTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  std::string old_long = std::move(long_bytes_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  long_bytes_.clear();
  size_ = 0;
  for (const Slot& slot : old) {
    if (slot.id < 0) continue;
    std::string_view bytes = slot.length <= kInline
                                 ? std::string_view(slot.inline_bytes.data(), slot.length)
                                 : std::string_view(old_long).substr(slot.long_offset, slot.length);
    insert(bytes, slot.id);
  }
}

}  // namespace ropelm::gpt2
