// The flat-table byte trie: linear probing, multiplicative hashing, rehash when half full.
#include "tokenizer/vocab_trie.h"

#include <utility>

#include "util/error.h"

namespace ropelm {

VocabTrie::Node VocabTrie::add_root() {
  if (node_ids_.size() >= (size_t{1} << 24) - 1) {
    throw UserError("the vocabulary is too large (over 16M trie nodes)");
  }
  node_ids_.push_back(-1);
  return static_cast<Node>(node_ids_.size() - 1);
}

void VocabTrie::insert(Node root, std::string_view entry, TokenId id) {
  Node node = root;
  for (char byte : entry) {
    auto next = child(node, static_cast<unsigned char>(byte));
    if (!next) {
      next = add_root();
      if (2 * (used_ + 1) > slots_.size()) grow();
      place(key_of(node, static_cast<unsigned char>(byte)), *next);
    }
    node = *next;
  }
  node_ids_[node] = id;
}

size_t VocabTrie::slot_of(uint32_t key) const {
  // Fibonacci hashing: the high bits of key * 2^64/φ.
  return static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ULL) >> 40) & (slots_.size() - 1);
}

std::optional<VocabTrie::Node> VocabTrie::child(Node parent, unsigned char byte) const {
  if (slots_.empty()) return std::nullopt;
  uint32_t key = key_of(parent, byte);
  for (size_t slot = slot_of(key);; slot = (slot + 1) & (slots_.size() - 1)) {
    if (slots_[slot].key == key) return slots_[slot].child;
    if (slots_[slot].key == kEmpty) return std::nullopt;
  }
}

void VocabTrie::place(uint32_t key, Node child) {
  size_t slot = slot_of(key);
  while (slots_[slot].key != kEmpty) slot = (slot + 1) & (slots_.size() - 1);
  slots_[slot] = {key, child};
  ++used_;
}

void VocabTrie::grow() {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.empty() ? 1024 : 2 * slots_.size()));
  used_ = 0;
  for (const Slot& slot : old) {
    if (slot.key != kEmpty) place(slot.key, slot.child);
  }
}

std::optional<VocabTrie::Match> VocabTrie::longest_prefix(Node root, std::string_view text) const {
  std::optional<Match> longest;
  Node node = root;
  for (size_t length = 1; length <= text.size(); ++length) {
    auto next = child(node, static_cast<unsigned char>(text[length - 1]));
    if (!next) break;
    node = *next;
    if (node_ids_[node] >= 0) longest = Match{node_ids_[node], length};
  }
  return longest;
}

}  // namespace ropelm
