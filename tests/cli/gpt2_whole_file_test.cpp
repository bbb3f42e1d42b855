// The whole-file GPT-2 checksums (tiktoken's ids) through the binary with --input-format whole.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "util/sha256.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;

void expect_whole_file_ids(const std::string& golden_name, const fs::path& text_path) {
  auto goldens = nlohmann::json::parse(
      slurp(fs::path(ROPELM_SOURCE_DIR) / "tests/fixtures/gpt2/gpt2_golden_files.json"));
  for (const auto& golden : goldens) {
    if (golden["file"] != golden_name) continue;
    CliResult result = run_ropelm(
        "tokenize --type gpt2 --vocab data/gpt2/encoder.json --merges data/gpt2/vocab.bpe --input-format "
        "whole",
        slurp(text_path));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    ASSERT_EQ(count_lines(result.out), 1);  // one text in, one line out
    std::istringstream ids(result.out);
    std::string id, listing;  // the golden hashes each id in decimal followed by "\n"
    int64_t count = 0;
    while (ids >> id) {
      listing += id + "\n";
      ++count;
    }
    EXPECT_EQ(count, golden["n_tokens"].get<int64_t>());
    EXPECT_EQ(sha256_hex(listing), golden["ids_sha256"].get<std::string>());
    return;
  }
  FAIL() << "no golden entry for " << golden_name;
}

TEST(Gpt2WholeFile, TheVerdict) {
  expect_whole_file_ids("the-verdict/the-verdict.txt", fs::path(ROPELM_SOURCE_DIR) / "data/the-verdict.txt");
}

TEST(Gpt2WholeFile, TinyShakespeare) {
  expect_whole_file_ids("tinyshakespeare/input.txt",
                        fs::path(ROPELM_SOURCE_DIR) / "data/tinyshakespeare.txt");
}

TEST(Gpt2WholeFile, WikitextValid) {
  expect_whole_file_ids("wikitext-2/wiki.valid.tokens",
                        fs::path(ROPELM_SOURCE_DIR) / "tests/fixtures/wikitext-2/wiki.valid.tokens");
}

}  // namespace
}  // namespace ropelm::test
