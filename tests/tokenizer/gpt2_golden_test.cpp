// GPT-2 ids against tiktoken/HF golden ids: 368 texts (both <|endoftext|> variants) and whole-file checksums.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/atomic_file.h"
#include "util/sha256.h"

#include "gpt2_test_tokenizer.h"

namespace ropelm {
namespace {

const std::string& kGolden = kGpt2Golden;

std::vector<nlohmann::json> golden_cases() {
  std::vector<nlohmann::json> cases;
  std::string text = read_file(kGolden + "gpt2_golden.jsonl");
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) cases.push_back(nlohmann::json::parse(text.substr(pos, end - pos)));
    pos = end + 1;
  }
  return cases;
}

TEST(Gpt2Golden, EveryCaseMatchesInBothSpecialTokenModes) {
  std::vector<nlohmann::json> cases = golden_cases();
  ASSERT_EQ(cases.size(), 368u);
  size_t matched = 0;
  size_t differing_variants = 0;
  for (const auto& golden : cases) {
    auto text = golden["text"].get<std::string>();
    auto ids = golden["ids"].get<std::vector<TokenId>>();
    auto ids_plain = golden["ids_plain"].get<std::vector<TokenId>>();
    EXPECT_EQ(gpt2_tokenizer(false).encode(text), ids) << golden["id"];
    EXPECT_EQ(gpt2_tokenizer(true).encode(text), ids_plain) << golden["id"];
    EXPECT_EQ(gpt2_tokenizer(false).decode(ids), text) << golden["id"];
    EXPECT_EQ(gpt2_tokenizer(true).decode(ids_plain), text) << golden["id"];
    matched += gpt2_tokenizer(false).encode(text) == ids && gpt2_tokenizer(true).encode(text) == ids_plain;
    differing_variants += ids != ids_plain;
  }
  EXPECT_EQ(matched, cases.size());
  EXPECT_EQ(differing_variants, 2u);  // the texts holding a literal <|endoftext|>
}

// ids_sha256 is the sha256 of the ids written in decimal, each followed by "\n".
std::string ids_sha256(const std::vector<TokenId>& ids) {
  std::string decimal;
  for (TokenId id : ids) decimal += std::to_string(id) + "\n";
  return sha256_hex(decimal);
}

void expect_file_matches(const std::string& golden_name, const std::filesystem::path& path) {
  nlohmann::json files = nlohmann::json::parse(read_file(kGolden + "gpt2_golden_files.json"));
  for (const auto& golden : files) {
    if (golden["file"] != golden_name) continue;
    std::string text = read_file(path);
    ASSERT_EQ(sha256_hex(text), golden["file_sha256"]) << path;
    std::vector<TokenId> ids = gpt2_tokenizer(false).encode(text);
    ASSERT_EQ(ids.size(), golden["n_tokens"].get<size_t>());
    EXPECT_EQ(std::vector<TokenId>(ids.begin(), ids.begin() + 256),
              golden["first_256"].get<std::vector<TokenId>>());
    EXPECT_EQ(std::vector<TokenId>(ids.end() - 64, ids.end()), golden["last_64"].get<std::vector<TokenId>>());
    EXPECT_EQ(ids_sha256(ids), golden["ids_sha256"]);
    EXPECT_EQ(gpt2_tokenizer(false).decode(ids), text);
    return;
  }
  FAIL() << golden_name << " is not in gpt2_golden_files.json";
}

TEST(Gpt2Golden, TheVerdictGivesItsIdsFile) {
  expect_file_matches("the-verdict/the-verdict.txt", kTexts + "the-verdict.txt");
  std::string expected = read_file(kGolden + "the-verdict.gpt2.ids");
  std::string actual;
  for (TokenId id : gpt2_tokenizer(false).encode(read_file(kTexts + "the-verdict.txt")))
    actual += std::to_string(id) + "\n";
  EXPECT_EQ(actual, expected);
}

TEST(Gpt2Golden, TinyShakespeareChecksum) {
  expect_file_matches("tinyshakespeare/input.txt", kTexts + "tinyshakespeare.txt");
}

TEST(Gpt2Golden, WikiTextValidChecksum) {
  expect_file_matches("wikitext-2/wiki.valid.tokens",
                      ROPELM_SOURCE_DIR "/tests/fixtures/wikitext-2/wiki.valid.tokens");
}

}  // namespace
}  // namespace ropelm
