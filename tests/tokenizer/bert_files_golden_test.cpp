// Whole-file golden ids (bert_wordpiece_golden_files.json) of the-verdict and tinyshakespeare (data/) and
// wikitext-2 valid (tests/fixtures/wikitext-2, CC BY-SA).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "bert_test_data.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

namespace ropelm::test {
namespace {

using nlohmann::json;

std::string ids_sha256(const std::vector<TokenId>& ids) {
  std::string text;
  for (TokenId id : ids) text += std::to_string(id) + "\n";
  return sha256_hex(text);
}

json golden_file(const std::string& name) {
  std::ifstream in(bert_data("bert_wordpiece_golden_files.json"));
  for (const json& entry : json::parse(in)) {
    if (entry["file"] == name) return entry;
  }
  ADD_FAILURE() << name << " is not in bert_wordpiece_golden_files.json";
  return {};
}

// Whole-file entries were made with no special-token matching.
void expect_file_ids(const std::filesystem::path& path, const json& golden) {
  std::string text = read_file(path);
  ASSERT_EQ(sha256_hex(text), golden["file_sha256"]) << path;
  for (bool lowercase : {true, false}) {
    const json& expected = golden[lowercase ? "uncased" : "cased"];
    std::vector<TokenId> ids = make_bert(lowercase, /*split_special_tokens=*/true)->encode(text);
    EXPECT_EQ(ids.size(), expected["n_tokens"].get<size_t>()) << path << " lowercase=" << lowercase;
    EXPECT_EQ(ids_sha256(ids), expected["ids_sha256"]) << path << " lowercase=" << lowercase;
    if (expected.contains("all_ids")) EXPECT_EQ(ids, expected["all_ids"].get<std::vector<TokenId>>());
  }
}

TEST(BertFilesGolden, TheVerdict) {
  expect_file_ids(source_path("data/the-verdict.txt"), golden_file("the-verdict.txt"));
}

TEST(BertFilesGolden, TinyShakespeare) {
  expect_file_ids(source_path("data/tinyshakespeare.txt"), golden_file("tinyshakespeare/input.txt"));
}

TEST(BertFilesGolden, WikitextValid) {
  expect_file_ids(source_path("tests/fixtures/wikitext-2/wiki.valid.tokens"),
                  golden_file("wikitext-2/wiki.valid.tokens"));
}

}  // namespace
}  // namespace ropelm::test
