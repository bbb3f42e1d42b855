// End-to-end training: bitwise-exact resume (from a checkpoint, after SIGTERM, across epochs, with gradient
// accumulation), checkpoint validation on resume, and user errors. Dropout is on, so the RNG state matters
// too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>
#include <map>
#include <numeric>
#include <set>
#include <thread>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Lines of stderr that are errors rather than progress logging: a user error is exactly one.
int error_lines(const std::string& err) {
  std::istringstream lines(err);
  std::string line;
  int errors = 0;
  while (std::getline(lines, line))
    errors += line.rfind("error: ", 0) == 0 || line.find("terminate") != std::string::npos;
  return errors;
}

fs::path checkpoint(const fs::path& run_dir, int step) {
  char name[32];
  std::snprintf(name, sizeof name, "step_%08d", step);
  return run_dir / "checkpoints" / name;
}

CliResult train(const fs::path& run_dir, const std::string& extra = "") {
  return run_ropelm("train " + kTinyConfig + " --run-dir " + run_dir.string() + " " + extra);
}

void expect_same_run(const fs::path& straight, const fs::path& resumed, int final_step) {
  auto a = logged_losses(straight), b = logged_losses(resumed);
  ASSERT_EQ(a.size(), static_cast<size_t>(final_step));
  EXPECT_EQ(a, b);  // bitwise: the doubles are printed exactly
  EXPECT_EQ(slurp(checkpoint(straight, final_step) / "model.safetensors"),
            slurp(checkpoint(resumed, final_step) / "model.safetensors"));
  EXPECT_EQ(slurp(checkpoint(straight, final_step) / "optimizer.safetensors"),
            slurp(checkpoint(resumed, final_step) / "optimizer.safetensors"));
}

// Copies a finished run and cuts it back to its step-10 checkpoint, as if it had crashed after saving it
// (later checkpoints, e.g. those checkpoint.keep_best saved at the validations of steps 16 and 24, removed).
fs::path crashed_copy(const fs::path& run, const std::string& name) {
  fs::path copy = copy_of_run(run, "ropelm_train_test", name);
  for (int step = 11; step <= 24; ++step) fs::remove_all(checkpoint(copy, step));
  return copy;
}

class TrainCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    straight_ = fresh_dir("ropelm_train_test", "straight");
    CliResult result = train(straight_);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  static fs::path straight_;
};
fs::path TrainCli::straight_;

// metrics.jsonl, the straight 24-step run (log_interval 1, eval_interval 8): one row per step with exactly
// the training keys (no MFU on the CPU) and one per validation, whose perplexity is exp(val_loss).
TEST_F(TrainCli, MetricsHaveOneRowPerStepAndPerValidation) {
  std::istringstream lines(slurp(straight_ / "metrics.jsonl"));
  std::vector<int64_t> train_steps, eval_steps;
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line);
    std::set<std::string> keys;
    for (const auto& item : row.items()) keys.insert(item.key());
    if (row.contains("loss")) {
      EXPECT_EQ(keys, (std::set<std::string>{"step", "loss", "lr", "grad_norm", "tokens_per_s", "tokens",
                                             "elapsed_s"}));
      EXPECT_GT(row["tokens_per_s"].get<double>(), 0);
      train_steps.push_back(row["step"].get<int64_t>());
    } else {
      EXPECT_EQ(keys, (std::set<std::string>{"step", "val_loss", "val_ppl", "tokens", "elapsed_s"}));
      EXPECT_NEAR(row["val_ppl"].get<double>(), std::exp(row["val_loss"].get<double>()), 1e-9);
      eval_steps.push_back(row["step"].get<int64_t>());
    }
  }
  std::vector<int64_t> every_step(24);
  std::iota(every_step.begin(), every_step.end(), 1);
  EXPECT_EQ(train_steps, every_step);
  EXPECT_EQ(eval_steps, (std::vector<int64_t>{8, 16, 24}));
}

TEST_F(TrainCli, ResumeFromACheckpointAcrossAnEpochBoundaryIsBitwiseExact) {
  fs::path resumed = crashed_copy(straight_, "resumed");
  CliResult result = train(resumed, "--resume auto");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("resumed from"));
  expect_same_run(straight_, resumed, 24);
}

TEST_F(TrainCli, ResumeWithGradientAccumulationIsBitwiseExact) {
  fs::path straight = fresh_dir("ropelm_train_test", "accum_straight");
  ASSERT_EQ(train(straight, "--set train.grad_accum=2").exit_code, 0);
  fs::path resumed = crashed_copy(straight, "accum_resumed");
  ASSERT_EQ(train(resumed, "--set train.grad_accum=2 --resume auto").exit_code, 0);
  expect_same_run(straight, resumed, 24);
}

TEST_F(TrainCli, SigtermStopsWithACheckpointAndResumesExactly) {
  fs::path run = fresh_dir("ropelm_train_test", "sigterm");
  pid_t pid = spawn_ropelm("train " + kTinyConfig + " --run-dir " + run.string() + " --set train.steps=24",
                           run.string() + ".out", run.string() + ".err");
  for (int i = 0; i < 3000 && logged_losses(run).size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGTERM);
  ASSERT_EQ(wait_exit_code(pid), 0) << slurp(run.string() + ".err");
  std::string err = slurp(run.string() + ".err");
  ASSERT_THAT(err, HasSubstr("--resume auto"));
  size_t stopped_at = logged_losses(run).size();
  ASSERT_LT(stopped_at, 24u) << "the run finished before the signal arrived";
  EXPECT_TRUE(fs::exists(checkpoint(run, static_cast<int>(stopped_at)) / "manifest.json"));
  ASSERT_EQ(train(run, "--resume auto").exit_code, 0);
  expect_same_run(straight_, run, 24);
}

TEST_F(TrainCli, ResumeAutoSkipsATruncatedCheckpointAndResumePathRefusesIt) {
  fs::path run = crashed_copy(straight_, "truncated");
  ASSERT_EQ(train(run, "--resume auto --set train.steps=20").exit_code, 0);  // now holds steps 10 and 20
  fs::resize_file(checkpoint(run, 20) / "model.safetensors", 100);
  CliResult refused = train(run, "--resume " + checkpoint(run, 20).string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(error_lines(refused.err), 1) << refused.err;
  CliResult fallback = train(run, "--resume auto");
  ASSERT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_THAT(fallback.err, HasSubstr("step_00000020"));
  EXPECT_THAT(fallback.err, HasSubstr("resumed from " + checkpoint(run, 10).string()));
}

TEST_F(TrainCli, ResumeRefusesChangesThatBreakExactness) {
  fs::path run = crashed_copy(straight_, "changed");
  CliResult refused = train(run, "--resume auto --set model.d_model=64 --set data.stride=16");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(error_lines(refused.err), 1) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("model.d_model: 32 -> 64"));
  EXPECT_THAT(refused.err, HasSubstr("data.stride: 32 -> 16"));
  CliResult forced = train(run, "--resume auto --set model.d_model=64 --force");
  EXPECT_EQ(forced.exit_code, 2);  // the weights cannot fit the new shape: a clear error, not a crash
  EXPECT_THAT(forced.err, HasSubstr("has shape"));
  EXPECT_THAT(forced.err, HasSubstr("even with --force"));
  CliResult allowed = train(run, "--resume auto --set train.log_interval=5");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_THAT(allowed.err, HasSubstr("train.log_interval: 1 -> 5"));
}

TEST_F(TrainCli, AFreshRunRefusesARunDirWithCheckpoints) {
  CliResult result = train(straight_);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--resume auto"));
}

TEST_F(TrainCli, EvalReportsPerplexityAndBitsPerByteConsistently) {
  CliResult result =
      run_ropelm("eval --checkpoint " + checkpoint(straight_, 24).string() +
                 " --data tests/fixtures/cli/eval_text.txt --context-length 16 --stride 8 --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  int64_t tokens = json["tokens"];
  double nll = json["nll"];
  EXPECT_NEAR(json["perplexity"].get<double>(), std::exp(nll), 1e-9 * std::exp(nll));
  // Bits per byte by hand: total NLL in bits over the UTF-8 bytes of the scored tokens (the text's bytes
  // times the scored share of its tokens: the first token is not scored).
  double bytes =
      static_cast<double>(fs::file_size(fs::path(ROPELM_SOURCE_DIR) / "tests/fixtures/cli/eval_text.txt"));
  EXPECT_NEAR(json["bits_per_byte"].get<double>(), nll / std::log(2.0) * (tokens + 1) / bytes, 1e-9);
  CliResult tokenized = run_ropelm("tokenize --vocab data/bert-base-uncased-vocab.txt --input-format whole",
                                   slurp(fs::path(ROPELM_SOURCE_DIR) / "tests/fixtures/cli/eval_text.txt"));
  EXPECT_EQ(tokens + 1, count_words(tokenized.out));  // every token after the first is scored once
}

// `ropelm eval` scores as validation during training does: with the run's eval.* settings, which its flags
// override.
TEST_F(TrainCli, EvalDefaultsToTheRunsEvalSettings) {
  fs::path run = fresh_dir("ropelm_train_test", "eval_settings");
  ASSERT_EQ(train(run, "--set train.steps=2 --set eval.context_length=16 --set eval.stride=8").exit_code, 0);
  auto scored = [&](const std::string& flags) {
    CliResult result = run_ropelm("eval --checkpoint " + checkpoint(run, 2).string() + flags + " --json");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out).at("nll").get<double>();
  };
  const double by_default = scored("");
  EXPECT_EQ(by_default, scored(" --context-length 16 --stride 8"));
  EXPECT_NE(by_default, scored(" --context-length 32"));
  EXPECT_NE(by_default, scored(" --context-length 16"));  // stride 16: each token sees less history
}

TEST_F(TrainCli, InfoVerifiesAndSummarises) {
  CliResult result = run_ropelm("info --checkpoint " + checkpoint(straight_, 24).string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("step            24 of 24"));
  EXPECT_THAT(result.out, HasSubstr("verified"));
}

TEST_F(TrainCli, GenerateIsDeterministicForASeed) {
  std::string args = "generate --checkpoint " + checkpoint(straight_, 24).string() +
                     " --prompt 'i had always thought' --max-new-tokens 12 --top-k 20 --seed 7";
  CliResult a = run_ropelm(args), b = run_ropelm(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_THAT(a.out, HasSubstr("i had always thought"));
  CliResult greedy = run_ropelm("generate --checkpoint " + checkpoint(straight_, 24).string() +
                                " --prompt 'the' --temperature 0 --max-new-tokens 5");
  EXPECT_EQ(greedy.exit_code, 0) << greedy.err;
}

TEST_F(TrainCli, BadInputIsOneLineAndExitTwo) {
  auto expect_user_error = [](const CliResult& result, const std::string& fragment) {
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(count_lines(result.err), 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr(fragment));
  };
  expect_user_error(run_ropelm("eval --checkpoint /nonexistent/step_1"), "/nonexistent/step_1");
  expect_user_error(run_ropelm("info --checkpoint /nonexistent/step_1"), "/nonexistent/step_1");
  fs::path corrupt = fresh_dir("ropelm_train_test", "corrupt_header");
  fs::copy(checkpoint(straight_, 24), corrupt, fs::copy_options::recursive);
  {
    std::fstream file(corrupt / "model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(9);
    file.write("garbage", 7);  // inside the JSON header
  }
  expect_user_error(run_ropelm("info --checkpoint " + corrupt.string()), "model.safetensors");
  fs::path blocker = fresh_dir("ropelm_train_test", "blocker");
  std::ofstream(blocker) << "a file where the run dir's parent should be";
  expect_user_error(train(blocker / "run"), "run dir");
}

}  // namespace
}  // namespace ropelm::test
