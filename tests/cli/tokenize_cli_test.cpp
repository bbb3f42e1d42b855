// `ropelm tokenize` and `ropelm vocab build` end to end, including sentencepiece through the shim library in
// the same process as LibTorch (docs/libtorch-notes.md#two-protobufs: linked together they crash before
// main).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string scratch_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("ropelm_tokenize_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(TokenizeCli, OneLineOfIdsPerTextWithSpecialWrapping) {
  // HF's documented example (bert-base-uncased), and an empty text between two others.
  CliResult result = run_ropelm("tokenize --special", "Hello, y'all! How are you 😁 ?\n\n[SEP]\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "101 7592 1010 1061 1005 2035 999 2129 2024 2017 100 1029 102\n101 102\n101 102 102\n");
}

TEST(TokenizeCli, TokensCasedSplitSpecialAndJsonl) {
  CliResult tokens = run_ropelm(
      "tokenize --vocab data/bert-base-cased-vocab.txt --lowercase false --format tokens "
      "--split-special-tokens "
      "--input-format jsonl",
      "{\"text\": \"Hello [SEP]\"}\n{\"text\": \"\"}\n");
  ASSERT_EQ(tokens.exit_code, 0) << tokens.err;
  EXPECT_EQ(tokens.out, "Hello [ SE ##P ]\n\n");
}

TEST(TokenizeCli, DecodeAndThreadCountsGiveTheSameText) {
  std::string verdict = slurp(std::string(ROPELM_SOURCE_DIR) + "/data/the-verdict.txt");
  CliResult one = run_ropelm("--threads 1 tokenize", verdict);
  CliResult two = run_ropelm("--threads 2 tokenize", verdict);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(count_lines(one.out), count_lines(verdict) + 1);  // the file's last line has no "\n"
  CliResult decoded = run_ropelm("tokenize --decode", one.out);
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_THAT(decoded.out, HasSubstr("i had always thought jack gisburn rather a cheap genius"));
}

TEST(TokenizeCli, BadInputIsOneLineAndExitCodeTwo) {
  expect_one_line_error(run_ropelm("tokenize --vocab no/such/vocab.txt", "x\n"),
                        "no/such/vocab.txt does not exist");
  expect_one_line_error(run_ropelm("tokenize", "fine\nbad \xFF byte\n"),
                        "stdin line 2: invalid UTF-8 at byte offset 4");
  expect_one_line_error(run_ropelm("tokenize --input-format jsonl", "{\"text\": \"a\"}\nnot json\n"),
                        "stdin line 2: not a JSON object");
  expect_one_line_error(run_ropelm("tokenize --input-format jsonl", "{\"txt\": \"a\"}\n"),
                        "stdin line 1: no string field \"text\"");
  expect_one_line_error(run_ropelm("tokenize --decode", "101 x\n"), "stdin line 1");
  expect_one_line_error(run_ropelm("tokenize --decode", "99999999\n"), "outside the vocabulary");
}

// vocab build on a slice of tinyshakespeare: the vocab loads as WordPiece with almost no [UNK], and the
// sentencepiece model trained on the way encodes and decodes through the shim.
TEST(VocabBuildCli, BuildsALoadableLowUnkVocabAndASentencePieceModel) {
  std::string dir = scratch_dir();
  std::string corpus = std::string(ROPELM_SOURCE_DIR) + "/tests/fixtures/bert/tinyshakespeare-head.txt";
  CliResult build = run_ropelm("vocab build --corpus '" + corpus + "' --size 1000 --out '" + dir +
                               "/vocab.txt' --sentencepiece-model '" + dir + "/spm.model'");
  ASSERT_EQ(build.exit_code, 0) << build.err;
  std::string vocab = slurp(dir + "/vocab.txt");
  EXPECT_EQ(count_lines(vocab), 1000);
  EXPECT_TRUE(vocab.starts_with("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"));

  CliResult ids = run_ropelm("tokenize --input-format whole --vocab '" + dir + "/vocab.txt'", slurp(corpus));
  ASSERT_EQ(ids.exit_code, 0) << ids.err;
  std::istringstream tokens(ids.out);
  int64_t total = 0, unknown = 0;
  for (std::string id; tokens >> id; ++total) unknown += id == "1";
  EXPECT_GT(total, 30000);
  EXPECT_LT(unknown * 1000, total);  // under 0.1%

  std::string text = "before we proceed any further, hear me speak.";  // lowercase, as it was trained
  CliResult spm =
      run_ropelm("tokenize --type sentencepiece --vocab '" + dir + "/spm.model' --input-format whole", text);
  ASSERT_EQ(spm.exit_code, 0) << spm.err;
  EXPECT_GT(count_lines(spm.out), 0);
  CliResult decoded =
      run_ropelm("tokenize --type sentencepiece --vocab '" + dir + "/spm.model' --decode", spm.out);
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_EQ(decoded.out, text + "\n");  // the model's normaliser is the identity: the text comes back
}

TEST(VocabBuildCli, MissingCorpusAndBadSentencePieceModel) {
  std::string dir = scratch_dir();
  expect_one_line_error(run_ropelm("vocab build --corpus no/such.txt --size 100 --out '" + dir + "/v.txt'"),
                        "no/such.txt");
  expect_one_line_error(run_ropelm("tokenize --type sentencepiece --vocab data/the-verdict.txt", "x\n"),
                        "cannot load sentencepiece model data/the-verdict.txt");
}

}  // namespace
}  // namespace ropelm::test
