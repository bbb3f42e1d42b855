// encode_corpus gives encode()'s ids for any thread count and chunk size; safe_cut points really are safe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bert_test_data.h"
#include "tokenizer/corpus_encoder.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm::test {
namespace {

// the-verdict plus what stresses the cuts: special tokens, CJK, accents, runs of whitespace, a long word.
std::string mixed_text() {
  return read_file(source_path("data/the-verdict.txt")) + " [SEP]\t\t[CLS]x[MASK] 我喜欢 Café\r\n\n" +
         std::string(150, 'z') + " end";
}

TEST(CorpusEncoder, SameIdsForAnyThreadCountAndChunkSize) {
  auto tokenizer = make_bert(true);
  std::string text = mixed_text();
  std::vector<TokenId> expected = tokenizer->encode(text);
  for (int threads : {1, 2}) {
    for (size_t chunk_bytes : {size_t{1}, size_t{7}, size_t{100}, size_t{4096}, size_t{1} << 20}) {
      EXPECT_EQ(encode_corpus(*tokenizer, text, threads, chunk_bytes), expected)
          << threads << " threads, chunks of " << chunk_bytes;
    }
  }
}

TEST(CorpusEncoder, EveryWordPieceSafeCutSplitsTheIdsExactly) {
  auto tokenizer = make_bert(false);
  std::string text = mixed_text().substr(19000);
  std::vector<TokenId> whole = tokenizer->encode(text);
  for (size_t cut = tokenizer->safe_cut(text, 0); cut < text.size();
       cut = tokenizer->safe_cut(text, cut + 1)) {
    std::vector<TokenId> ids = tokenizer->encode(std::string_view(text).substr(0, cut));
    std::vector<TokenId> right = tokenizer->encode(std::string_view(text).substr(cut));
    ids.insert(ids.end(), right.begin(), right.end());
    ASSERT_EQ(ids, whole) << "cut at " << cut;
  }
}

TEST(CorpusEncoder, InvalidUtf8NamesTheOffsetInTheWholeText) {
  auto tokenizer = make_bert(true);
  std::string text = std::string(5000, 'a') + " b\xE2\x82 c";
  try {
    encode_corpus(*tokenizer, text, 2, 64);
    ADD_FAILURE() << "no UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("byte offset 5002"));
  }
}

}  // namespace
}  // namespace ropelm::test
