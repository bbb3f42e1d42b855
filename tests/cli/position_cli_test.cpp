// ALiBi and YaRN end to end: each trains and resumes bitwise like TrainCli's runs, generates through the KV
// cache, and is refused by export naming the option; `eval --rope-scaling` rescales a plain RoPE model at
// evaluation time (factor 1 = no change, the default factor = length / trained length) and refuses models
// without RoPE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kAlibi = "--set model.position=alibi";
const std::string kYarn = "--set model.rope_scaling=yarn --set model.rope_scaling_factor=2";

fs::path checkpoint(const fs::path& run_dir, int step) {
  char name[32];
  std::snprintf(name, sizeof name, "step_%08d", step);
  return run_dir / "checkpoints" / name;
}

CliResult train(const fs::path& run_dir, const std::string& extra) {
  return run_ropelm("train " + kTinyConfig + " --run-dir " + run_dir.string() + " " + extra);
}

nlohmann::json eval_with(const fs::path& checkpoint, const std::string& extra) {
  CliResult result = run_ropelm("--threads 1 eval --checkpoint " + checkpoint.string() + " --json " + extra);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return nlohmann::json::parse(result.out);
}

class PositionCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const auto& [name, sets] :
         {std::pair{"rope", std::string()}, std::pair{"alibi", kAlibi}, std::pair{"yarn", kYarn}}) {
      fs::path run = fresh_dir("ropelm_position_test", name);
      CliResult result = train(run, sets);
      ASSERT_EQ(result.exit_code, 0) << result.err;
      runs_[name] = run;
    }
  }
  static std::map<std::string, fs::path> runs_;
};
std::map<std::string, fs::path> PositionCli::runs_;

// As TrainCli's resume tests: cut a finished run back to its step-10 checkpoint and resume it.
void expect_exact_resume(const fs::path& straight, const std::string& sets, const std::string& name) {
  fs::path resumed = copy_of_run(straight, "ropelm_position_test", name);
  for (int step = 11; step <= 24; ++step) fs::remove_all(checkpoint(resumed, step));
  CliResult result = train(resumed, sets + " --resume auto");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("resumed from"));
  auto a = logged_losses(straight), b = logged_losses(resumed);
  ASSERT_EQ(a.size(), 24u);
  EXPECT_EQ(a, b);  // bitwise
  EXPECT_EQ(slurp(checkpoint(straight, 24) / "model.safetensors"),
            slurp(checkpoint(resumed, 24) / "model.safetensors"));
  EXPECT_EQ(slurp(checkpoint(straight, 24) / "optimizer.safetensors"),
            slurp(checkpoint(resumed, 24) / "optimizer.safetensors"));
}

TEST_F(PositionCli, AlibiResumesBitwise) {
  expect_exact_resume(runs_["alibi"], kAlibi, "alibi_resumed");
}

TEST_F(PositionCli, YarnResumesBitwise) {
  expect_exact_resume(runs_["yarn"], kYarn, "yarn_resumed");
}

TEST_F(PositionCli, AlibiAndYarnModelsLearnAndGenerate) {
  for (const char* name : {"alibi", "yarn"}) {
    auto losses = logged_losses(runs_[name]);
    EXPECT_LT(losses.rbegin()->second, losses.begin()->second - 1.0) << name;
    std::string args = "generate --checkpoint " + checkpoint(runs_[name], 24).string() +
                       " --prompt 'i had always thought' --max-new-tokens 40 --top-k 20 --seed 3";
    CliResult a = run_ropelm(args), b = run_ropelm(args);
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_GT(count_words(a.out), 4) << a.out;
  }
}

TEST_F(PositionCli, ExportRefusesAlibiAndYarnNamingTheOption) {
  fs::path out = fresh_dir("ropelm_position_test", "export");
  expect_one_line_error(run_ropelm("export --checkpoint " + checkpoint(runs_["alibi"], 24).string() +
                                   " --format hf --out " + (out / "hf").string()),
                        "model.position = alibi");
  expect_one_line_error(run_ropelm("export --checkpoint " + checkpoint(runs_["alibi"], 24).string() +
                                   " --format gguf --out " + (out / "m.gguf").string()),
                        "model.position = alibi");
  expect_one_line_error(run_ropelm("export --checkpoint " + checkpoint(runs_["yarn"], 24).string() +
                                   " --format hf --out " + (out / "hf2").string()),
                        "model.rope_scaling = yarn");
}

TEST_F(PositionCli, EvalRopeScalingRebuildsTheTables) {
  fs::path rope = checkpoint(runs_["rope"], 24);
  const double plain = eval_with(rope, "")["nll"];
  // YaRN with factor 1 is plain RoPE bit for bit.
  EXPECT_EQ(eval_with(rope, "--rope-scaling yarn --rope-scaling-factor 1")["nll"].get<double>(), plain);
  // The default factor is the eval length over the trained 32 tokens: 2 at 64.
  const double by_default = eval_with(rope, "--context-length 64 --rope-scaling linear")["nll"];
  EXPECT_EQ(eval_with(rope, "--context-length 64 --rope-scaling linear --rope-scaling-factor 2")["nll"]
                .get<double>(),
            by_default);
  EXPECT_NE(eval_with(rope, "--context-length 64")["nll"].get<double>(), by_default);
  // The yarn-trained model evaluated with --rope-scaling none drops its own scaling: another score.
  fs::path yarn = checkpoint(runs_["yarn"], 24);
  EXPECT_NE(eval_with(yarn, "--rope-scaling none")["nll"].get<double>(),
            eval_with(yarn, "")["nll"].get<double>());
}

TEST_F(PositionCli, EvalRopeScalingErrorsAreOneLine) {
  expect_one_line_error(
      run_ropelm("eval --checkpoint " + checkpoint(runs_["alibi"], 24).string() + " --rope-scaling linear"),
      "model.position = alibi has no RoPE to rescale");
  expect_one_line_error(
      run_ropelm("eval --checkpoint " + checkpoint(runs_["rope"], 24).string() + " --rope-scaling-factor 2"),
      "--rope-scaling-factor needs --rope-scaling");
  CliResult bad =
      run_ropelm("eval --checkpoint " + checkpoint(runs_["rope"], 24).string() + " --rope-scaling dynamic");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--rope-scaling"));
}

}  // namespace
}  // namespace ropelm::test
