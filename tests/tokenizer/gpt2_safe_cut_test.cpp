// safe_cut: encoding the pieces between cut points gives exactly the ids of encoding the whole text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/corpus_encoder.h"
#include "util/atomic_file.h"

#include "gpt2_test_tokenizer.h"

namespace ropelm {
namespace {

const std::string& kGolden = kGpt2Golden;

std::vector<size_t> all_cuts(const Tokenizer& tokenizer, std::string_view text) {
  std::vector<size_t> cuts;
  for (size_t cut = tokenizer.safe_cut(text, 0); cut < text.size(); cut = tokenizer.safe_cut(text, cut + 1)) {
    cuts.push_back(cut);
  }
  return cuts;
}

std::vector<TokenId> encode_in_pieces(const Tokenizer& tokenizer, std::string_view text,
                                      const std::vector<size_t>& cuts) {
  std::vector<TokenId> ids;
  size_t begin = 0;
  for (size_t end : cuts) {
    std::vector<TokenId> piece = tokenizer.encode(text.substr(begin, end - begin));
    ids.insert(ids.end(), piece.begin(), piece.end());
    begin = end;
  }
  std::vector<TokenId> last = tokenizer.encode(text.substr(begin));
  ids.insert(ids.end(), last.begin(), last.end());
  return ids;
}

// Cuts at every safe point at once, then at each one alone (the latter only for short texts).
void expect_cuts_keep_ids(std::string_view text, bool each_alone, size_t min_cuts = 0) {
  for (bool split_special : {false, true}) {
    const Tokenizer& tokenizer = gpt2_tokenizer(split_special);
    std::vector<TokenId> whole = tokenizer.encode(text);
    std::vector<size_t> cuts = all_cuts(tokenizer, text);
    ASSERT_GE(cuts.size(), min_cuts);
    ASSERT_EQ(encode_in_pieces(tokenizer, text, cuts), whole) << text.substr(0, 200);
    if (!each_alone) continue;
    for (size_t cut : cuts)
      ASSERT_EQ(encode_in_pieces(tokenizer, text, {cut}), whole) << cut << " in " << text;
  }
}

TEST(Gpt2SafeCut, TheVerdictAtEveryCut) {
  expect_cuts_keep_ids(read_file(kTexts + "the-verdict.txt"), false, 3000);
}

TEST(Gpt2SafeCut, TinyShakespeareAtEveryCut) {
  expect_cuts_keep_ids(read_file(kTexts + "tinyshakespeare.txt"), false, 200000);
}

// The corpus encoder cuts only at safe_cut points, so its ids match encode() for any thread count and chunk
// size.
TEST(Gpt2SafeCut, CorpusEncoderMatchesForAnyThreadsAndChunks) {
  std::string text = read_file(kTexts + "tinyshakespeare.txt");
  std::vector<TokenId> whole = gpt2_tokenizer(false).encode(text);
  for (int threads : {1, 2}) {
    for (size_t chunk_bytes : {64, 4096, 1 << 20}) {
      EXPECT_EQ(encode_corpus(gpt2_tokenizer(false), text, threads, chunk_bytes), whole)
          << threads << " " << chunk_bytes;
    }
  }
}

TEST(Gpt2SafeCut, EveryGoldenCaseAtEachCut) {
  std::string jsonl = read_file(kGolden + "gpt2_golden.jsonl");
  size_t cases = 0;
  for (size_t pos = 0; pos < jsonl.size();) {
    size_t end = std::min(jsonl.find('\n', pos), jsonl.size());
    if (end > pos) {
      expect_cuts_keep_ids(nlohmann::json::parse(jsonl.substr(pos, end - pos))["text"].get<std::string>(),
                           true);
      ++cases;
    }
    pos = end + 1;
  }
  EXPECT_EQ(cases, 368u);
}

// Every string of up to 5 symbols over an alphabet that exercises contractions, space-prefixed runs,
// whitespace runs ending at a non-space, a non-ASCII space (NBSP) and a non-ASCII letter.
TEST(Gpt2SafeCut, ExhaustiveShortStrings) {
  const std::vector<std::string> symbols = {"a", " ", "\n", "'", "s", "1", ".", "\xc2\xa0", "\xc3\xa9"};
  std::vector<std::string> strings = {""};
  for (int length = 1; length <= 5; ++length) {
    std::vector<std::string> longer;
    for (const std::string& prefix : strings) {
      for (const std::string& symbol : symbols) longer.push_back(prefix + symbol);
    }
    for (const std::string& text : longer) expect_cuts_keep_ids(text, true);
    strings = std::move(longer);
  }
}

// The cases the rule leaves out can be unsafe: inside a whitespace run (\s+(?!\S) sees a different end) and
// after whitespace, before the next word.
TEST(Gpt2SafeCut, SkipsCutsThatWouldChangeIds) {
  const Tokenizer& tokenizer = gpt2_tokenizer(false);
  for (auto [text, unsafe] : {std::pair<std::string_view, size_t>{"Hello\n\nWorld", 7},
                              {"a  b", 3},
                              {"x\n\n", 2},
                              {"x\n\n\nb", 2}}) {
    EXPECT_NE(encode_in_pieces(tokenizer, text, {unsafe}), tokenizer.encode(text)) << text;
    EXPECT_NE(tokenizer.safe_cut(text, unsafe), unsafe) << text;
  }
  EXPECT_EQ(tokenizer.safe_cut("Hello\n\nWorld", 0), 5u);
  EXPECT_EQ(tokenizer.safe_cut("Hello\n\nWorld", 6), 12u);
  EXPECT_EQ(tokenizer.safe_cut("no_space_here", 0), 13u);
  EXPECT_EQ(tokenizer.safe_cut("\xc3\xa9 x", 0), 2u);  // after a two-byte letter
  EXPECT_EQ(tokenizer.safe_cut("\xc2\xa0 x", 0), 4u);  // not after NBSP, a space: no cut at all
}

}  // namespace
}  // namespace ropelm
