// A byte trie over vocabulary entries, stored as one flat open-addressing table of (node, byte) → child:
// finds the longest entry that prefixes a text in one probe per byte, where trying every shorter end (HF's
// way) costs one string hash per candidate.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace ropelm {

class VocabTrie {
 public:
  using Node = uint32_t;

  // A new root: entries inserted under different roots form separate tries sharing one table.
  Node add_root();
  void insert(Node root, std::string_view entry, TokenId id);

  // The id and length of the longest inserted entry under `root` that is a prefix of `text`.
  struct Match {
    TokenId id;
    size_t length;
  };
  std::optional<Match> longest_prefix(Node root, std::string_view text) const;

 private:
  // 8-byte slots keep the table small enough to stay in cache: nodes are numbered below 2^24.
  struct Slot {
    uint32_t key = kEmpty;  // (parent << 8) | byte
    Node child = 0;
  };
  static constexpr uint32_t kEmpty = ~uint32_t{0};

  static uint32_t key_of(Node parent, unsigned char byte) { return (parent << 8) | byte; }
  size_t slot_of(uint32_t key) const;
  std::optional<Node> child(Node parent, unsigned char byte) const;
  void place(uint32_t key, Node child);
  void grow();

  std::vector<TokenId> node_ids_;  // node → id of the entry ending there, -1 for none
  std::vector<Slot> slots_;        // power-of-two size, at most half full
  size_t used_ = 0;
};

}  // namespace ropelm
