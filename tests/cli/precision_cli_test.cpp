// train.precision end to end on the CPU: bf16 tracks fp32, a bf16 run resumes bitwise after SIGTERM, a
// precision change on resume is refused (and forced), eval's and generate's --precision, and the "no bf16
// units" branch, forced on any machine through ROPELM_CPU_FLAGS. The bf16 runs need a CPU with AMX-BF16 or
// AVX512-BF16 and skip, saying so, elsewhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <optional>
#include <thread>

#include "cli_runner.h"
#include "model/cpu_features.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The end-to-end fixture without dropout, so that fp32 and bf16 runs draw nothing random but their data.
const std::string kTrain = "train " + kTinyConfig + " --set model.dropout=0.0 ";

fs::path checkpoint(const fs::path& run_dir, int step) {
  char name[32];
  std::snprintf(name, sizeof name, "step_%08d", step);
  return run_dir / "checkpoints" / name;
}

// A user error: exit code 2 and exactly one "error:" line on stderr (info lines may come before it).
void expect_user_error(const CliResult& result, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  std::istringstream lines(result.err);
  int errors = 0;
  for (std::string line; std::getline(lines, line);) errors += line.rfind("error: ", 0) == 0;
  EXPECT_EQ(errors, 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr(fragment));
}

// The precision a checkpoint's trainer_state.json records.
std::string recorded_precision(const fs::path& checkpoint_dir) {
  return nlohmann::json::parse(slurp(checkpoint_dir / "trainer_state.json")).value("precision", "");
}

CliResult train(const fs::path& run_dir, const std::string& extra) {
  return run_ropelm(kTrain + extra + " --run-dir " + run_dir.string());
}

// Sets an environment variable for the scope (the ropelm processes the test starts inherit it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

class PrecisionCli : public ::testing::Test {
 protected:
  // On a CPU without bf16 units, ropelm would refuse bf16 (PrecisionCliWithoutBf16 tests that): these tests
  // pretend the flag, so that LibTorch's bf16 path (slower there, but the same arithmetic) runs everywhere.
  void SetUp() override {
    if (!cpu_features().bf16()) pretend_bf16_.emplace("ROPELM_CPU_FLAGS", "avx512_bf16");
  }
  std::optional<ScopedEnv> pretend_bf16_;
  // One 24-step bf16 run of the fixture, shared by the tests that need a finished one.
  static const fs::path& bf16_run() {
    static const fs::path run = [] {
      fs::path dir = fresh_dir("ropelm_precision_test", "bf16");
      CliResult result = train(dir, "--set train.precision=bf16");
      EXPECT_EQ(result.exit_code, 0) << result.err;
      return dir;
    }();
    return run;
  }
};

TEST_F(PrecisionCli, Bf16LossesTrackFp32) {
  fs::path fp32 = fresh_dir("ropelm_precision_test", "fp32");
  CliResult result = train(fp32, "--set train.steps=20");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  fs::path bf16 = fresh_dir("ropelm_precision_test", "bf16_20");
  result = train(bf16, "--set train.steps=20 --set train.precision=bf16");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("precision bf16 (bf16 as set"));
  auto a = logged_losses(fp32), b = logged_losses(bf16);
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
  EXPECT_NE(a, b) << "bf16 gave fp32's losses bit for bit: it did not run in bf16";
  for (const auto& [step, loss] : a) EXPECT_NEAR(b.at(step), loss, 0.02 * loss) << "step " << step;
  EXPECT_LT(b.rbegin()->second, b.begin()->second) << "bf16 training should lower the loss";
}

TEST_F(PrecisionCli, Bf16ResumedAfterSigtermIsBitwiseExact) {
  fs::path run = fresh_dir("ropelm_precision_test", "sigterm");
  pid_t pid = spawn_ropelm(kTrain + "--set train.precision=bf16 --run-dir " + run.string(),
                           run.string() + ".out", run.string() + ".err");
  for (int i = 0; i < 3000 && logged_losses(run).size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGTERM);
  ASSERT_EQ(wait_exit_code(pid), 0) << slurp(run.string() + ".err");
  size_t stopped_at = logged_losses(run).size();
  ASSERT_LT(stopped_at, 24u) << "the run finished before the signal arrived";
  CliResult resumed = train(run, "--set train.precision=bf16 --resume auto");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const fs::path& straight = bf16_run();
  EXPECT_EQ(logged_losses(straight), logged_losses(run));
  for (const char* file : {"model.safetensors", "optimizer.safetensors"})
    EXPECT_EQ(slurp(checkpoint(straight, 24) / file), slurp(checkpoint(run, 24) / file)) << file;
  EXPECT_EQ(recorded_precision(checkpoint(run, 24)), "bf16");
}

TEST_F(PrecisionCli, ResumingInAnotherPrecisionIsRefusedUnlessForced) {
  fs::path run = copy_of_run(bf16_run(), "ropelm_precision_test", "changed");
  for (int step = 11; step <= 24; ++step) fs::remove_all(checkpoint(run, step));
  CliResult refused = train(run, "--resume auto");  // the fixture's train.precision: fp32
  expect_user_error(refused, "precision (train.precision as resolved on this device): bf16 -> fp32");
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  CliResult same = train(run, "--set train.precision=auto --resume auto --set train.steps=12");
  EXPECT_EQ(same.exit_code, 0) << same.err;  // auto resolves to bf16 here: no change
  CliResult forced = train(run, "--resume auto --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.err, HasSubstr("bf16 -> fp32"));
  EXPECT_EQ(recorded_precision(checkpoint(run, 24)), "fp32");
}

TEST_F(PrecisionCli, EvalDefaultsToTheCheckpointsPrecisionAndTakesAnother) {
  fs::path step24 = checkpoint(bf16_run(), 24);
  CliResult by_default = run_ropelm("eval --checkpoint " + step24.string() + " --json");
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_THAT(by_default.err, HasSubstr("precision bf16 (the checkpoint's)"));
  EXPECT_THAT(run_ropelm("info --checkpoint " + step24.string()).out,
              HasSubstr("precision       bf16 (train.precision = bf16)"));
  CliResult fp32 = run_ropelm("eval --checkpoint " + step24.string() + " --json --precision fp32");
  ASSERT_EQ(fp32.exit_code, 0) << fp32.err;
  double bf16_nll = nlohmann::json::parse(by_default.out)["nll"],
         fp32_nll = nlohmann::json::parse(fp32.out)["nll"];
  EXPECT_NE(bf16_nll, fp32_nll);
  EXPECT_NEAR(bf16_nll, fp32_nll, 0.01 * fp32_nll);
  std::string generate =
      "generate --checkpoint " + step24.string() + " --prompt 'i had' --max-new-tokens 8 --seed 3";
  CliResult sampled = run_ropelm(generate);
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  EXPECT_THAT(sampled.err, HasSubstr("precision bf16 (the checkpoint's)"));
  EXPECT_EQ(run_ropelm(generate).out, sampled.out);  // deterministic in bf16 too
  EXPECT_EQ(run_ropelm(generate + " --precision fp32").exit_code, 0);
  // Where the CPU has no bf16 units, the checkpoint's bf16 becomes fp32 by default, saying why.
  ScopedEnv no_bf16("ROPELM_CPU_FLAGS", "fpu avx2");
  CliResult fallback = run_ropelm("eval --checkpoint " + step24.string() + " --json");
  ASSERT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_THAT(fallback.err, HasSubstr("precision fp32 (the checkpoint trained in bf16, but here auto: CPU"));
  EXPECT_EQ(nlohmann::json::parse(fallback.out)["nll"].get<double>(), fp32_nll);
}

// The branches of a CPU without bf16 units, forced through the seam: they run on every machine.
TEST(PrecisionCliWithoutBf16, Bf16IsOneLineExit2AndAutoIsFp32) {
  ScopedEnv no_bf16("ROPELM_CPU_FLAGS", "fpu avx2 fma");
  fs::path run = fresh_dir("ropelm_precision_test", "no_bf16");
  CliResult refused = train(run, "--set train.precision=bf16");
  expect_user_error(refused, "train.precision = bf16 needs a CPU with AMX-BF16 or AVX512-BF16");
  EXPECT_THAT(refused.err, HasSubstr("no amx_bf16 or avx512_bf16 flag"));
  EXPECT_THAT(refused.err, HasSubstr("train.precision = fp32 or train.precision = auto"));
  EXPECT_FALSE(fs::exists(run)) << "refused before the run dir was made";

  CliResult automatic = train(run, "--set train.precision=auto --set train.steps=10");
  ASSERT_EQ(automatic.exit_code, 0) << automatic.err;
  EXPECT_THAT(automatic.err, HasSubstr("precision fp32 (auto: CPU"));
  EXPECT_THAT(automatic.err, HasSubstr("has no amx_bf16 or avx512_bf16 flag)"));
  EXPECT_EQ(recorded_precision(checkpoint(run, 10)), "fp32");
  expect_user_error(run_ropelm("eval --checkpoint " + checkpoint(run, 10).string() + " --precision bf16"),
                    "--precision bf16 needs a CPU with AMX-BF16 or AVX512-BF16");
}

// The other way round: flags that claim AVX512-BF16 make auto bf16 (LibTorch's bf16 products run, if slowly,
// on CPUs without it too).
TEST(PrecisionCliWithoutBf16, AutoIsBf16WhereTheFlagsSayAvx512Bf16) {
  ScopedEnv avx512_bf16("ROPELM_CPU_FLAGS", "avx512f avx512_bf16");
  fs::path run = fresh_dir("ropelm_precision_test", "forced_bf16");
  CliResult result = train(run, "--set train.precision=auto --set train.steps=2 --set train.eval_interval=0");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("precision bf16 (auto: CPU"));
  EXPECT_THAT(result.err, HasSubstr("has avx512_bf16)"));
}

}  // namespace
}  // namespace ropelm::test
