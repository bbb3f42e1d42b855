// The token cache: contents against a brute-force join, reuse, staleness, corruption, concurrency.
#include <gtest/gtest.h>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "data/corpus.h"
#include "data/token_cache.h"
#include "fake_tokenizer.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

using testing::FakeTokenizer;
using testing::TempDir;
using testing::write_text;

std::vector<TokenId> ids_of(TokenView view) {
  std::vector<TokenId> ids;
  for (int64_t i = 0; i < view.size(); ++i) ids.push_back(view[i]);
  return ids;
}

// The expected stream: each document's ids, joined by the end-of-document id.
std::vector<TokenId> joined(const FakeTokenizer& tokenizer, const std::vector<std::string>& documents) {
  std::vector<TokenId> ids;
  for (const std::string& document : documents) {
    if (!ids.empty()) ids.push_back(tokenizer.end_of_document_id());
    for (TokenId id : tokenizer.encode(document)) ids.push_back(id);
  }
  return ids;
}

// Captures log lines so tests can check the rebuild messages.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() { spdlog::default_logger()->sinks().pop_back(); }
  std::string text() const {
    std::string all;
    for (const std::string& line : sink_->last_formatted()) all += line;
    return all;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

struct CacheFixture : ::testing::Test {
  TempDir dir;
  TokenCacheOptions options() const {
    return {{(dir / "text.txt").string()}, "data.train", dir / "cache", false, 2};
  }
};

TEST_F(CacheFixture, SecondRunReusesTheCache) {
  write_text(dir / "text.txt", "the quick brown fox\njumps over # the lazy dog\n");
  FakeTokenizer tokenizer;
  TokenCache first = TokenCache::open_or_build(options(), tokenizer);
  EXPECT_EQ(first.origin(), CacheOrigin::kBuilt);
  EXPECT_EQ(ids_of(first.tokens()), joined(tokenizer, {"the quick brown fox\njumps over # the lazy dog\n"}));
  EXPECT_EQ(first.tokens().dtype_bytes(), 2);
  LogCapture log;
  TokenCache second = TokenCache::open_or_build(options(), tokenizer);
  EXPECT_EQ(second.origin(), CacheOrigin::kReused);
  EXPECT_EQ(second.path(), first.path());
  EXPECT_NE(log.text().find("reusing token cache"), std::string::npos);
  EXPECT_EQ(ids_of(second.tokens()), ids_of(first.tokens()));
  EXPECT_EQ(TokenCache::open(options(), tokenizer).origin(), CacheOrigin::kReused);
}

TEST_F(CacheFixture, EditingTheTextRebuildsIt) {
  write_text(dir / "text.txt", "one two three four");
  FakeTokenizer tokenizer;
  TokenCache first = TokenCache::open_or_build(options(), tokenizer);
  write_text(dir / "text.txt", "one two three five");
  EXPECT_THROW(TokenCache::open(options(), tokenizer), UserError);  // stale: the other ranks never build
  LogCapture log;
  TokenCache second = TokenCache::open_or_build(options(), tokenizer);
  EXPECT_EQ(second.origin(), CacheOrigin::kRebuiltStale);
  EXPECT_EQ(second.path(), first.path());
  EXPECT_NE(log.text().find("is stale"), std::string::npos);
  EXPECT_EQ(ids_of(second.tokens()), joined(tokenizer, {"one two three five"}));
}

TEST_F(CacheFixture, SwappingTheVocabRebuildsIt) {
  write_text(dir / "text.txt", "one two three four");
  FakeTokenizer v1(1000, "v1"), v2(1000, "v2");
  TokenCache first = TokenCache::open_or_build(options(), v1);
  TokenCache second = TokenCache::open_or_build(options(), v2);
  EXPECT_EQ(second.origin(), CacheOrigin::kBuilt);
  EXPECT_EQ(ids_of(second.tokens()), joined(v2, {"one two three four"}));
  EXPECT_NE(ids_of(second.tokens()), ids_of(first.tokens()));
  EXPECT_EQ(TokenCache::open_or_build(options(), v1).origin(), CacheOrigin::kReused);  // both stay cached
}

void damage(const std::filesystem::path& path, const std::function<void(std::string&)>& edit) {
  std::string bytes = read_file(path);
  edit(bytes);
  std::filesystem::remove(path);  // the old mapping (if any) keeps its own pages
  write_text(path, bytes);
}

TEST_F(CacheFixture, TruncatedOrCorruptCacheIsRebuiltWithAWarning) {
  write_text(dir / "text.txt", "alpha beta gamma delta epsilon zeta eta theta");
  FakeTokenizer tokenizer;
  const std::filesystem::path path = TokenCache::open_or_build(options(), tokenizer).path();
  const std::vector<TokenId> expected = joined(tokenizer, {"alpha beta gamma delta epsilon zeta eta theta"});
  std::vector<std::function<void(std::string&)>> damages = {
      [](std::string& b) { b.resize(b.size() - 3); },   // truncated mid-token
      [](std::string& b) { b.resize(b.size() / 2); },   // truncated in the metadata
      [](std::string& b) { b[b.size() - 2] ^= 0x40; },  // a flipped payload bit: size still right
      [](std::string& b) { b[0] = 'X'; },               // bad magic
      [](std::string& b) { b.clear(); }};               // empty file
  for (size_t i = 0; i < damages.size(); ++i) {
    damage(path, damages[i]);
    EXPECT_THROW(TokenCache::open(options(), tokenizer), UserError) << "damage " << i;
    LogCapture log;
    TokenCache rebuilt = TokenCache::open_or_build(options(), tokenizer);
    EXPECT_EQ(rebuilt.origin(), CacheOrigin::kRebuiltCorrupt) << "damage " << i;
    EXPECT_NE(log.text().find("is corrupt"), std::string::npos) << log.text();
    EXPECT_NE(log.text().find("warning"), std::string::npos) << log.text();
    EXPECT_EQ(ids_of(rebuilt.tokens()), expected);
  }
}

TEST_F(CacheFixture, DocumentsAreJoinedWithTheEndOfDocumentId) {
  write_text(dir / "docs/a.txt", "first file\n\nsecond paragraph\n");
  write_text(dir / "docs/b.jsonl", "{\"text\": \"json one\"}\n{\"text\": \"json two\\n\\njson three\"}\n");
  FakeTokenizer tokenizer;
  TokenCacheOptions whole{{(dir / "docs").string()}, "data.train", dir / "cache", false, 2};
  EXPECT_EQ(ids_of(TokenCache::open_or_build(whole, tokenizer).tokens()),
            joined(tokenizer, {"first file\n\nsecond paragraph\n", "json one", "json two\n\njson three"}));
  TokenCacheOptions paragraphs = whole;
  paragraphs.paragraphs = true;
  TokenCache split = TokenCache::open_or_build(paragraphs, tokenizer);
  EXPECT_EQ(split.origin(), CacheOrigin::kBuilt);  // paragraphs key a different cache
  EXPECT_EQ(ids_of(split.tokens()),
            joined(tokenizer, {"first file", "second paragraph", "json one", "json two", "json three"}));
  EXPECT_EQ(split.header().document_count, 5u);
}

TEST_F(CacheFixture, LargeVocabulariesUseUint32) {
  write_text(dir / "text.txt", "many different words in a large vocabulary");
  FakeTokenizer tokenizer(200000);
  TokenCache cache = TokenCache::open_or_build(options(), tokenizer);
  EXPECT_EQ(cache.tokens().dtype_bytes(), 4);
  EXPECT_EQ(ids_of(cache.tokens()), joined(tokenizer, {"many different words in a large vocabulary"}));
}

TEST_F(CacheFixture, IdsDoNotDependOnTheThreadCount) {
  std::string big;  // above the size at which a document is split across threads
  for (int i = 0; big.size() < (size_t{1} << 20); ++i)
    big += "word" + std::to_string(i % 977) + (i % 13 ? " " : "\n");
  write_text(dir / "text.txt", big);
  FakeTokenizer tokenizer;
  TokenCacheOptions one = options();
  one.threads = 1;
  std::vector<TokenId> serial = ids_of(TokenCache::open_or_build(one, tokenizer).tokens());
  std::filesystem::remove_all(dir / "cache");
  TokenCacheOptions four = options();
  four.threads = 4;
  EXPECT_EQ(ids_of(TokenCache::open_or_build(four, tokenizer).tokens()), serial);
  EXPECT_EQ(serial, tokenizer.encode(big));
}

TEST_F(CacheFixture, ConcurrentStartsBuildOnceAndAgree) {
  write_text(dir / "text.txt", "several ranks start at the same time");
  FakeTokenizer tokenizer;
  std::vector<CacheOrigin> origins(4);
  std::vector<std::vector<TokenId>> ids(4);
  std::vector<std::thread> ranks;
  for (size_t r = 0; r < 4; ++r) {
    ranks.emplace_back([&, r] {
      TokenCache cache = TokenCache::open_or_build(options(), tokenizer);
      origins[r] = cache.origin();
      ids[r] = ids_of(cache.tokens());
    });
  }
  for (auto& rank : ranks) rank.join();
  EXPECT_EQ(std::count(origins.begin(), origins.end(), CacheOrigin::kBuilt), 1);
  for (const auto& rank_ids : ids)
    EXPECT_EQ(rank_ids, joined(tokenizer, {"several ranks start at the same time"}));
}

TEST_F(CacheFixture, MissingCacheCannotBeOpenedWithoutBuilding) {
  write_text(dir / "text.txt", "nobody built this yet");
  EXPECT_THROW(TokenCache::open(options(), FakeTokenizer()), UserError);
}

TEST_F(CacheFixture, CorpusSplitsTailOrUsesValSources) {
  write_text(dir / "text.txt", "a b c d e f g h i j");
  write_text(dir / "val.txt", "k l m");
  FakeTokenizer tokenizer;
  CorpusOptions tail{{(dir / "text.txt").string()}, {}, 0.3, false, dir / "cache", 2};
  Corpus corpus = Corpus::load(tail, tokenizer, CacheAccess::kOpenOrBuild);
  EXPECT_EQ(corpus.train().size(), 7);
  EXPECT_EQ(corpus.val().size(), 3);
  EXPECT_EQ(ids_of(corpus.val()), joined(tokenizer, {"h i j"}));
  CorpusOptions separate = tail;
  separate.val = {(dir / "val.txt").string()};
  Corpus with_val = Corpus::load(separate, tokenizer, CacheAccess::kOpenOrBuild);
  EXPECT_EQ(with_val.train().size(), 10);
  EXPECT_EQ(ids_of(with_val.val()), joined(tokenizer, {"k l m"}));
  CorpusOptions none = tail;
  none.val_fraction = 0.0;
  EXPECT_TRUE(Corpus::load(none, tokenizer, CacheAccess::kOpenExisting).val().empty());
  none.val_fraction = 1.0;
  EXPECT_THROW(Corpus::load(none, tokenizer, CacheAccess::kOpenExisting), UserError);
}

}  // namespace
}  // namespace ropelm
