// Byte-pair merging of one pre-token: a linked list of symbols and a min-heap of candidate pairs, O(n log n).
#include <algorithm>
#include <vector>

#include "tokenizer/gpt2_bpe.h"

namespace ropelm::gpt2 {
namespace {

// A symbol lives at the byte offset where its bytes start; merged-away symbols get id -1.
struct Symbol {
  TokenId id;
  int32_t prev;
  int32_t next;
};

// A pair that could merge. It is stale once either side has changed: ids only grow, so a symbol at the same
// offset with the same id covers the same bytes, and checking both ids is exact.
struct Candidate {
  uint32_t rank;
  int32_t left;
  TokenId left_id;
  TokenId right_id;
  TokenId merged;
};

// Min-heap on (rank, offset): tiktoken's _byte_pair_merge applies the lowest rank first, the leftmost on a
// tie.
bool later(const Candidate& a, const Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

class Merger {
 public:
  Merger(const Gpt2Model& model, std::string_view piece) : model_(model) {
    auto size = static_cast<int32_t>(piece.size());
    symbols_.resize(piece.size());
    for (int32_t i = 0; i < size; ++i) {
      symbols_[i] = {model.byte_ids[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < size ? i + 1 : -1};
    }
    for (int32_t i = 0; i + 1 < size; ++i) push_pair(i);
  }

  void run(std::vector<TokenId>& out) {
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      Candidate candidate = heap_.back();
      heap_.pop_back();
      Symbol& left = symbols_[candidate.left];
      if (left.id != candidate.left_id || left.next < 0 || symbols_[left.next].id != candidate.right_id)
        continue;
      Symbol& right = symbols_[left.next];
      left.id = candidate.merged;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = candidate.left;
      right.id = -1;
      if (left.prev >= 0) push_pair(left.prev);
      push_pair(candidate.left);
    }
    for (int32_t i = 0; i >= 0; i = symbols_[i].next) out.push_back(symbols_[i].id);
  }

 private:
  void push_pair(int32_t left) {
    int32_t right = symbols_[left].next;
    if (right < 0) return;
    TokenId left_id = symbols_[left].id;
    TokenId right_id = symbols_[right].id;
    auto it = model_.pairs.find(static_cast<uint64_t>(left_id) << 32 | static_cast<uint32_t>(right_id));
    if (it == model_.pairs.end()) return;
    heap_.push_back({static_cast<uint32_t>(it->second >> 32), left, left_id, right_id,
                     static_cast<TokenId>(it->second & 0xffffffffu)});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }

  const Gpt2Model& model_;
  std::vector<Symbol> symbols_;
  std::vector<Candidate> heap_;
};

}  // namespace

void bpe_merge(const Gpt2Model& model, std::string_view piece, std::vector<TokenId>& out) {
  if (piece.empty()) return;
  Merger(model, piece).run(out);
}

}  // namespace ropelm::gpt2
