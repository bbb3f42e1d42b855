// Every case of bert_wordpiece_golden.jsonl (HF tokenizers 0.23.2): uncased and cased, with and without
// special-token matching, with and without [CLS]/[SEP].
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "bert_test_data.h"

namespace ropelm::test {
namespace {

using nlohmann::json;

std::vector<json> golden_cases() {
  std::ifstream in(bert_data("bert_wordpiece_golden.jsonl"));
  std::vector<json> cases;
  for (std::string line; std::getline(in, line);) cases.push_back(json::parse(line));
  return cases;
}

// HF's template: [CLS] A [SEP] for one text, [CLS] A [SEP] B [SEP] for a pair.
std::vector<TokenId> with_special(const Tokenizer& tokenizer, const json& golden_case) {
  std::vector<TokenId> ids = {*tokenizer.cls_id()};
  for (TokenId id : tokenizer.encode(golden_case["text"].get<std::string>())) ids.push_back(id);
  ids.push_back(*tokenizer.sep_id());
  if (golden_case.contains("pair")) {
    for (TokenId id : tokenizer.encode(golden_case["pair"].get<std::string>())) ids.push_back(id);
    ids.push_back(*tokenizer.sep_id());
  }
  return ids;
}

// Both segments of a pair, one after the other (HF's `ids` field without the template).
std::vector<TokenId> plain(const Tokenizer& tokenizer, const json& golden_case) {
  std::vector<TokenId> ids = tokenizer.encode(golden_case["text"].get<std::string>());
  if (golden_case.contains("pair")) {
    for (TokenId id : tokenizer.encode(golden_case["pair"].get<std::string>())) ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> tokens_of(const Tokenizer& tokenizer, const std::vector<TokenId>& ids) {
  std::vector<std::string> tokens;
  for (TokenId id : ids) tokens.push_back(tokenizer.token(id));
  return tokens;
}

void expect_case(const Tokenizer& tokenizer, const json& golden_case, const json& expected, int& matched) {
  std::vector<TokenId> ids = plain(tokenizer, golden_case);
  bool same =
      ids == expected["ids"].get<std::vector<TokenId>>() &&
      tokens_of(tokenizer, ids) == expected["tokens"].get<std::vector<std::string>>() &&
      with_special(tokenizer, golden_case) == expected["ids_with_special"].get<std::vector<TokenId>>();
  EXPECT_TRUE(same) << golden_case["id"] << ": " << golden_case["text"];
  matched += same;
}

TEST(BertGolden, EveryCaseUncasedAndCased) {
  std::vector<json> cases = golden_cases();
  ASSERT_EQ(cases.size(), 435u);
  auto uncased = make_bert(true);
  auto uncased_split = make_bert(true, /*split_special_tokens=*/true);
  auto cased = make_bert(false);
  int matched_uncased = 0, matched_split = 0, matched_cased = 0;
  for (const json& golden_case : cases) {
    expect_case(*uncased, golden_case, golden_case["uncased"], matched_uncased);
    bool same_split = plain(*uncased_split, golden_case) ==
                      golden_case["uncased"]["ids_no_special_token_matching"].get<std::vector<TokenId>>();
    EXPECT_TRUE(same_split) << golden_case["id"] << " (no special-token matching)";
    matched_split += same_split;
    expect_case(*cased, golden_case, golden_case["cased"], matched_cased);
  }
  EXPECT_EQ(matched_uncased, 435);
  EXPECT_EQ(matched_split, 435);
  EXPECT_EQ(matched_cased, 435);
}

}  // namespace
}  // namespace ropelm::test
