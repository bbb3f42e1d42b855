// Token cache life cycle: locate by key, verify freshness and integrity, build on all cores, map.
#include "data/token_cache.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "data/corpus_documents.h"
#include "data/document_encoder.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/file_lock.h"
#include "util/sha256.h"

namespace ropelm {
namespace fs = std::filesystem;

namespace {

// What the current run expects the cache to hold, and where that cache lives.
struct CacheTarget {
  CacheSourceInfo info;
  fs::path path;
};

// The file name is keyed by what selects the ids (source paths, tokenizer and its implementation, paragraphs,
// format), so configs that differ get different caches; a source's content is checked against the header
// instead, so an edited text rebuilds the same file rather than leaving the old one behind.
CacheTarget cache_target(const TokenCacheOptions& options, const Tokenizer& tokenizer) {
  CacheTarget target;
  std::vector<fs::path> paths = resolve_sources(options.sources, options.field);
  target.info = {tokenizer.content_hash(), tokenizer.vocab_size(), tokenizer.end_of_document_id(),
                 options.paragraphs, describe_sources(paths)};
  nlohmann::json key = {{"version", kTokenCacheVersion},
                        {"tokenizer", target.info.tokenizer_hash},
                        {"tokenizer_implementation", kTokenizerImplementationVersion},
                        {"paragraphs", options.paragraphs},
                        {"sources", nlohmann::json::array()}};
  for (const fs::path& path : paths) key["sources"].push_back(path.string());
  std::string stem = paths.front().stem().string();
  target.path = options.cache_dir / (stem + "-" + sha256_hex(key.dump()).substr(0, 16) + ".ropelm-cache");
  return target;
}

// Why a cache built from `built` does not serve `wanted`; empty when it does.
std::string staleness(const CacheSourceInfo& built, const CacheSourceInfo& wanted) {
  if (built.tokenizer_hash != wanted.tokenizer_hash || built.vocab_size != wanted.vocab_size ||
      built.end_of_document_id != wanted.end_of_document_id) {
    return "the tokenizer changed";
  }
  if (built.paragraphs != wanted.paragraphs) return "data.paragraphs changed";
  if (built.sources.size() != wanted.sources.size()) return "the list of sources changed";
  for (size_t i = 0; i < built.sources.size(); ++i) {
    if (built.sources[i] != wanted.sources[i]) return wanted.sources[i].path.string() + " changed";
  }
  return "";
}

struct Inspection {
  std::optional<MappedFile> file;
  std::optional<CacheHeader> header;
  std::string stale;    // non-empty: a valid file built from other inputs
  std::string corrupt;  // non-empty: an invalid file
};

Inspection inspect(const CacheTarget& target) {
  Inspection result;
  if (!fs::exists(target.path)) return result;
  result.file.emplace(target.path);
  result.header = parse_cache_file(result.file->bytes(), result.corrupt);
  if (result.header) result.stale = staleness(result.header->info, target.info);
  return result;
}

bool usable(const Inspection& inspection) {
  return inspection.header && inspection.stale.empty();
}

void build(const CacheTarget& target, const TokenCacheOptions& options, const Tokenizer& tokenizer) {
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  auto start = std::chrono::steady_clock::now();
  uint64_t bytes = 0;
  CacheHeader header;
  write_file_atomic(target.path, [&](std::FILE* file) {
    TokenCacheWriter writer(file, target.info);
    for (const SourceFile& source : target.info.sources) {
      MappedFile text(source.path);
      SourceDocuments documents = split_documents(source.path, text.bytes(), options.paragraphs);
      encode_documents(tokenizer, documents.documents, threads,
                       [&](std::span<const TokenId> ids) { writer.append_document(ids); });
      bytes += text.size();
    }
    writer.finish();
    header = writer.header();
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("tokenised {} bytes in {:.2f} s ({:.1f} MB/s, {} threads): {} tokens, {} documents -> {}",
               bytes, seconds, bytes / 1e6 / seconds, threads, header.token_count, header.document_count,
               target.path.string());
}

}  // namespace

TokenCache::TokenCache(fs::path path, MappedFile file, CacheHeader header, CacheOrigin origin)
    : path_(std::move(path)), file_(std::move(file)), header_(std::move(header)), origin_(origin) {}

TokenCache TokenCache::open_or_build(const TokenCacheOptions& options, const Tokenizer& tokenizer) {
  CacheTarget target = cache_target(options, tokenizer);
  fs::create_directories(target.path.parent_path());
  FileLock lock(fs::path(target.path).concat(".lock"));
  Inspection found = inspect(target);
  if (usable(found)) {
    spdlog::info("reusing token cache {} ({} tokens)", target.path.string(), found.header->token_count);
    return {target.path, std::move(*found.file), std::move(*found.header), CacheOrigin::kReused};
  }
  CacheOrigin origin = CacheOrigin::kBuilt;
  if (!found.stale.empty()) {
    spdlog::info("token cache {} is stale ({}): rebuilding", target.path.string(), found.stale);
    origin = CacheOrigin::kRebuiltStale;
  } else if (!found.corrupt.empty()) {
    spdlog::warn("token cache {} is corrupt ({}): rebuilding", target.path.string(), found.corrupt);
    origin = CacheOrigin::kRebuiltCorrupt;
  }
  found.file.reset();
  build(target, options, tokenizer);
  Inspection built = inspect(target);
  if (!usable(built))
    throw UserError("token cache " + target.path.string() + " failed to verify after building");
  return {target.path, std::move(*built.file), std::move(*built.header), origin};
}

TokenCache TokenCache::open(const TokenCacheOptions& options, const Tokenizer& tokenizer) {
  CacheTarget target = cache_target(options, tokenizer);
  Inspection found = inspect(target);
  if (usable(found))
    return {target.path, std::move(*found.file), std::move(*found.header), CacheOrigin::kReused};
  std::string why = !found.stale.empty()     ? "stale: " + found.stale
                    : !found.corrupt.empty() ? "corrupt: " + found.corrupt
                                             : "missing";
  throw UserError("token cache " + target.path.string() + " is " + why +
                  " (the process that builds it, rank 0, must finish first)");
}

TokenView TokenCache::tokens() const {
  return {file_.data() + header_.payload_offset, header_.dtype_bytes,
          static_cast<int64_t>(header_.token_count)};
}

uint64_t TokenCache::text_bytes() const {
  uint64_t total = 0;
  for (const SourceFile& source : header_.info.sources) total += source.size;
  return total;
}

}  // namespace ropelm
