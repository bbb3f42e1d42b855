// torchtext's BERTTokenizer test cases (torchtext_bert_tokenizer_cases.json).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "bert_test_data.h"

namespace ropelm::test {
namespace {

using nlohmann::json;

TEST(TorchtextCases, AllVariants) {
  std::ifstream in(bert_data("torchtext_bert_tokenizer_cases.json"));
  json cases = json::parse(in);
  auto texts = cases["sample_texts"].get<std::vector<std::string>>();
  int checked = 0;
  for (const json& variant : cases["variants"]) {
    bool lowercase = variant["do_lower_case"];
    // never_split = null: special-token text is plain text. never_split = [UNK], [CLS]: those two are kept
    // whole, as HF's matching keeps all five specials; so the one text with another special ([SEP]) is not
    // compared.
    bool never_split = !variant["never_split"].is_null();
    auto tokenizer = make_bert(lowercase, /*split_special_tokens=*/!never_split);
    for (size_t i = 0; i < texts.size(); ++i) {
      if (never_split && texts[i].find("[SEP]") != std::string::npos) continue;
      std::vector<TokenId> ids = tokenizer->encode(texts[i]);
      EXPECT_EQ(ids, variant["expected_ids"][i].get<std::vector<TokenId>>()) << texts[i];
      std::vector<std::string> tokens;
      for (TokenId id : ids) tokens.push_back(tokenizer->token(id));
      EXPECT_EQ(tokens, variant["expected_tokens"][i].get<std::vector<std::string>>()) << texts[i];
      ++checked;
    }
  }
  EXPECT_EQ(checked, 26);
}

}  // namespace
}  // namespace ropelm::test
