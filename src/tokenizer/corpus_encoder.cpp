// Parallel encoding of one text: cut at safe points, encode chunks concurrently, concatenate in order.
#include "tokenizer/corpus_encoder.h"

#include <algorithm>

#include "util/parallel_tasks.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

// Chunk boundaries: 0, the safe cuts at or after every chunk_bytes, text.size().
std::vector<size_t> chunk_bounds(const Tokenizer& tokenizer, std::string_view text, size_t chunk_bytes) {
  std::vector<size_t> bounds = {0};
  size_t begin = 0;
  while (text.size() - begin > chunk_bytes) {
    size_t cut = tokenizer.safe_cut(text, begin + chunk_bytes);
    if (cut >= text.size()) break;
    bounds.push_back(cut);
    begin = cut;
  }
  bounds.push_back(text.size());
  return bounds;
}

}  // namespace

std::vector<TokenId> encode_corpus(const Tokenizer& tokenizer, std::string_view text, int threads,
                                   size_t chunk_bytes) {
  // Validating here names the offset in the whole text; a chunk's encode would name it within the chunk.
  utf8::validate(text);
  std::vector<size_t> bounds = chunk_bounds(tokenizer, text, std::max<size_t>(chunk_bytes, 1));
  std::vector<std::vector<TokenId>> chunk_ids(bounds.size() - 1);
  run_parallel(chunk_ids.size(), threads, [&](size_t i) {
    chunk_ids[i] = tokenizer.encode(text.substr(bounds[i], bounds[i + 1] - bounds[i]));
  });
  size_t total = 0;
  for (const auto& ids : chunk_ids) total += ids.size();
  std::vector<TokenId> ids;
  ids.reserve(total);
  for (const auto& chunk : chunk_ids) ids.insert(ids.end(), chunk.begin(), chunk.end());
  return ids;
}

}  // namespace ropelm
