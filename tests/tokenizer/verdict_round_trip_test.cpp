// decode(encode(text)) gives back the normalised words of the-verdict. The differences from the normalised
// text are HF's decoder's: words are joined by single spaces (runs of whitespace and newlines are gone,
// punctuation stands apart: "don ' t"), except that "." "," "?" "!" attach to the word before them (its
// cleanup step).
#include <gtest/gtest.h>

#include <algorithm>

#include "bert_test_data.h"
#include "tokenizer/bert_normalizer.h"
#include "tokenizer/bert_pre_tokenizer.h"
#include "util/atomic_file.h"

namespace ropelm::test {
namespace {

std::string joined_as_decoded(const std::vector<std::string_view>& words) {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) {
    bool attaches = words[i] == "." || words[i] == "," || words[i] == "?" || words[i] == "!";
    if (i > 0 && !attaches) text += ' ';
    text += words[i];
  }
  return text;
}

void expect_round_trip(bool lowercase) {
  std::string text = read_file(source_path("data/the-verdict.txt"));
  auto tokenizer = make_bert(lowercase);
  std::vector<TokenId> ids = tokenizer->encode(text);
  ASSERT_EQ(std::count(ids.begin(), ids.end(), *tokenizer->unk_id()), 0);
  std::string normalized;
  BertNormalizer(lowercase).normalize(text, 0, normalized);
  std::vector<std::string_view> words;
  split_bert_words(normalized, words);
  EXPECT_EQ(tokenizer->decode(ids), joined_as_decoded(words));
}

TEST(VerdictRoundTrip, UncasedDecodeGivesTheNormalisedWords) {
  expect_round_trip(true);
}

TEST(VerdictRoundTrip, CasedDecodeGivesTheOriginalWords) {
  expect_round_trip(false);
}

}  // namespace
}  // namespace ropelm::test
