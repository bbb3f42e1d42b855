// Parallel, order-preserving document encoding.
#include "data/document_encoder.h"

#include <algorithm>
#include <future>
#include <vector>

#include "tokenizer/corpus_encoder.h"

namespace ropelm {

namespace {

// A document this large is split across threads by encode_corpus; smaller ones are grouped into tasks of
// about kGroupBytes so that many short documents (JSON lines, paragraphs) also keep every core busy.
constexpr size_t kChunkBytes = size_t{256} << 10;
constexpr size_t kLargeDocument = 2 * kChunkBytes;
constexpr size_t kGroupBytes = kChunkBytes;

using Group = std::span<const std::string_view>;

std::vector<std::vector<TokenId>> encode_group(const Tokenizer& tokenizer, Group group) {
  std::vector<std::vector<TokenId>> ids;
  ids.reserve(group.size());
  for (std::string_view document : group) ids.push_back(tokenizer.encode(document));
  return ids;
}

// Consecutive small documents from `begin`, up to kGroupBytes (at least one), stopping before a large one.
size_t group_end(std::span<const std::string_view> documents, size_t begin) {
  size_t end = begin;
  size_t bytes = 0;
  while (end < documents.size() && documents[end].size() < kLargeDocument &&
         (end == begin || bytes < kGroupBytes)) {
    bytes += documents[end].size();
    ++end;
  }
  return end;
}

// Encodes up to `threads` groups of small documents concurrently; returns the index after the last one taken.
size_t encode_small_wave(const Tokenizer& tokenizer, std::span<const std::string_view> documents,
                         size_t begin, int threads, const DocumentSink& sink) {
  std::vector<std::future<std::vector<std::vector<TokenId>>>> tasks;
  size_t next = begin;
  while (static_cast<int>(tasks.size()) < threads && next < documents.size() &&
         documents[next].size() < kLargeDocument) {
    size_t end = group_end(documents, next);
    Group group = documents.subspan(next, end - next);
    tasks.push_back(std::async(std::launch::async, encode_group, std::cref(tokenizer), group));
    next = end;
  }
  for (auto& task : tasks) {
    for (const std::vector<TokenId>& ids : task.get()) sink(ids);
  }
  return next;
}

}  // namespace

void encode_documents(const Tokenizer& tokenizer, std::span<const std::string_view> documents, int threads,
                      const DocumentSink& sink) {
  threads = std::max(threads, 1);
  size_t i = 0;
  while (i < documents.size()) {
    if (documents[i].size() >= kLargeDocument) {
      sink(encode_corpus(tokenizer, documents[i], threads, kChunkBytes));
      ++i;
    } else {
      i = encode_small_wave(tokenizer, documents, i, threads, sink);
    }
  }
}

}  // namespace ropelm
