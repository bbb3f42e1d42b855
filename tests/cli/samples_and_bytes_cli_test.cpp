// Training with samples on has exactly the losses of training with them off (dropout on, so a sampler that
// touched the training RNG would show), samples.jsonl rows, curves.png, and the byte tokenizer end to end:
// tokenize without a vocabulary, train, eval (bits per byte = nll / ln 2), generate, nanoGPT's split sizes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

CliResult train(const fs::path& run_dir, const std::string& sets) {
  return run_ropelm("train " + kTinyConfig + " --run-dir " + run_dir.string() + " " + sets);
}

// step → val_loss of run_dir/metrics.jsonl.
std::map<int64_t, double> val_losses(const fs::path& run_dir) {
  std::map<int64_t, double> by_step;
  std::istringstream lines(slurp(run_dir / "metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line);
    if (row.contains("val_loss")) by_step[row["step"].get<int64_t>()] = row["val_loss"].get<double>();
  }
  return by_step;
}

std::string final_weights(const fs::path& run_dir) {
  return slurp(run_dir / "checkpoints" / "step_00000024" / "model.safetensors");
}

TEST(SamplesCli, SamplesDoNotChangeTheLossesAndAreLoggedAsDocumented) {
  fs::path off = fresh_dir("ropelm_samples_test", "off"), on = fresh_dir("ropelm_samples_test", "on");
  CliResult without = train(off, "");
  ASSERT_EQ(without.exit_code, 0) << without.err;
  CliResult with = train(
      on, "--set train.sample_interval=5 --set train.sample_tokens=12 --set 'train.sample_prompt=I had'");
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(logged_losses(off).size(), 24u);
  EXPECT_EQ(logged_losses(on), logged_losses(off));  // bitwise: doubles are printed exactly
  EXPECT_EQ(val_losses(on), val_losses(off));
  EXPECT_EQ(final_weights(on), final_weights(off));
  EXPECT_FALSE(fs::exists(off / "samples.jsonl"));

  std::istringstream lines(slurp(on / "samples.jsonl"));
  std::vector<int64_t> steps;
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line);
    std::set<std::string> keys;
    for (const auto& item : row.items()) keys.insert(item.key());
    EXPECT_EQ(keys, (std::set<std::string>{"step", "prompt", "text"}));
    EXPECT_EQ(row["prompt"], "I had");
    EXPECT_FALSE(row["text"].get<std::string>().empty());
    steps.push_back(row["step"]);
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{5, 10, 15, 20}));
  EXPECT_THAT(with.err, HasSubstr("step 5 sample: \"I had"));
}

TEST(SamplesCli, TrainingDrawsCurvesAndLogsTokensOnEveryRow) {
  fs::path run = fresh_dir("ropelm_samples_test", "curves");
  ASSERT_EQ(train(run, "").exit_code, 0);
  std::string png = slurp(run / "curves.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  std::istringstream lines(slurp(run / "metrics.jsonl"));
  int64_t previous_tokens = 0;
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line);
    ASSERT_TRUE(row.contains("tokens") && row.contains("elapsed_s")) << line;
    EXPECT_EQ(row["tokens"].get<int64_t>(), row["step"].get<int64_t>() * 8 * 32);  // batch 8 × context 32
    EXPECT_GE(row["tokens"].get<int64_t>(), previous_tokens);
    previous_tokens = row["tokens"];
  }
  CliResult plot =
      run_ropelm("plot " + run.string() + " -o " + (run / "by_tokens.svg").string() + " --x tokens");
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  EXPECT_THAT(slurp(run / "by_tokens.svg"), HasSubstr("training tokens"));
}

TEST(BytesCli, TokenizeNeedsNoVocabularyAndRoundTrips) {
  CliResult ids = run_ropelm("tokenize --type bytes", "Hé<|endoftext|>\n");
  ASSERT_EQ(ids.exit_code, 0) << ids.err;
  EXPECT_EQ(ids.out, "72 195 169 256\n");
  CliResult text = run_ropelm("tokenize --type bytes --decode", "72 195 169 256\n");
  EXPECT_EQ(text.out, "Hé<|endoftext|>\n");
}

TEST(BytesCli, TrainEvalAndGenerateWithBytes_BitsPerByteIsNllOverLn2) {
  fs::path run = fresh_dir("ropelm_samples_test", "bytes");
  CliResult trained = train(run, "--set tokenizer.type=bytes --set train.sample_interval=24");
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  fs::path checkpoint = run / "checkpoints" / "step_00000024";
  EXPECT_FALSE(fs::exists(checkpoint / "bert-base-uncased-vocab.txt"))
      << "the byte tokenizer reads no vocabulary: none is copied into checkpoints";
  for (std::string data : {"", " --data tests/fixtures/cli/eval_text.txt"}) {
    CliResult eval = run_ropelm("eval --checkpoint " + checkpoint.string() + data + " --json");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    auto json = nlohmann::json::parse(eval.out);
    EXPECT_NEAR(json["bits_per_byte"].get<double>(), json["nll"].get<double>() / std::numbers::ln2, 1e-12);
  }
  CliResult generated = run_ropelm("generate --checkpoint " + checkpoint.string() +
                                   " --prompt 'I had' --max-new-tokens 30 --seed 1");
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  EXPECT_THAT(generated.out, HasSubstr("I had"));
}

// The exported GPT-2 files read by ropelm's own GPT-2 BPE code give the byte tokenizer's ids (transformers'
// GPT2Tokenizer was checked to give them too, with transformers 5.24).
TEST(BytesCli, ExportedHfTokenizerFilesGiveTheByteIds) {
  fs::path run = fresh_dir("ropelm_samples_test", "bytes_export"), out = run / "hf";
  ASSERT_EQ(train(run, "--set tokenizer.type=bytes --set train.steps=2").exit_code, 0);
  CliResult exported = run_ropelm("export --checkpoint " + (run / "checkpoints" / "step_00000002").string() +
                                  " --format hf --out " + out.string());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::string text = "Héllo, 世界 🙂 <|endoftext|> the end\n";
  CliResult bytes = run_ropelm("tokenize --type bytes --input-format whole", text);
  CliResult gpt2 = run_ropelm("tokenize --type gpt2 --vocab " + (out / "vocab.json").string() + " --merges " +
                                  (out / "merges.txt").string() + " --input-format whole",
                              text);
  ASSERT_EQ(gpt2.exit_code, 0) << gpt2.err;
  EXPECT_EQ(gpt2.out, bytes.out);
  EXPECT_THAT(slurp(out / "tokenizer_config.json"), HasSubstr("GPT2Tokenizer"));
}

TEST(BytesCli, ShakespeareCharHasNanoGptsSplit) {
  CliResult data = run_ropelm(
      "data --config configs/shakespeare-char.toml --set data.cache_dir=build/test-cache --batches 0");
  ASSERT_EQ(data.exit_code, 0) << data.err;
  EXPECT_THAT(data.out, HasSubstr("1003854"));
  EXPECT_THAT(data.out, HasSubstr("111540"));
}

}  // namespace
}  // namespace ropelm::test
