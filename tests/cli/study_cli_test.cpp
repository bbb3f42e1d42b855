// `ropelm study` end to end: every variant and length in results.csv/.md/.png (n/a for a learned table
// beyond its length), scores equal to `ropelm eval` of the same checkpoint, a second call trains and changes
// nothing, and a study stopped by SIGTERM completes on the next call with the uninterrupted study's results.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>
#include <thread>

#include "cli_runner.h"
#include "support/csv_rows.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kConfig = "--config tests/fixtures/cli/study_tiny.toml";

CliResult study(const fs::path& out, const std::string& extra = "") {
  return run_ropelm("study " + kConfig + " --out " + out.string() + " " + extra);
}

// results.csv as rows of fields, header first.
// The row of one encoding at one length.
std::vector<std::string> row_of(const std::vector<std::vector<std::string>>& rows,
                                const std::string& encoding, int length) {
  for (const auto& row : rows)
    if (row[0] == encoding && row[4] == std::to_string(length)) return row;
  ADD_FAILURE() << "no row " << encoding << " at " << length;
  return std::vector<std::string>(8);
}

// Every file under a run dir's checkpoints/ with its contents, and its metrics.jsonl.
std::map<std::string, std::string> run_files(const fs::path& run_dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(run_dir / "checkpoints"))
    if (entry.is_regular_file()) files[entry.path().string()] = slurp(entry.path());
  files["metrics.jsonl"] = slurp(run_dir / "metrics.jsonl");
  return files;
}

class StudyCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    straight_ = fresh_dir("ropelm_study_test", "straight");
    CliResult result = study(straight_);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    out_ = result.out;
  }
  static fs::path straight_;
  static std::string out_;
};
fs::path StudyCli::straight_;
std::string StudyCli::out_;

TEST_F(StudyCli, ResultsHoldEveryVariantAndLengthWithNaForTheLearnedTable) {
  auto rows = ropelm::testing::csv_rows(slurp(straight_ / "results.csv"));
  ASSERT_EQ(rows.size(), 1u + 4 * 3);  // rope, rope+yarn, alibi, learned at 32, 64, 128
  for (const char* encoding : {"rope", "rope+yarn", "alibi"}) {
    for (int length : {32, 64, 128}) {
      auto row = row_of(rows, encoding, length);
      EXPECT_GT(std::stod(row[7]), 1.0) << encoding << " " << length;
      EXPECT_TRUE(std::isfinite(std::stod(row[7]))) << encoding << " " << length;
    }
  }
  EXPECT_EQ(row_of(rows, "rope+yarn", 128)[3], "4");  // factor = 128 / 32
  // At the training length YaRN's factor is 1: the same model, the same score.
  EXPECT_EQ(row_of(rows, "rope+yarn", 32)[6], row_of(rows, "rope", 32)[6]);
  EXPECT_NE(row_of(rows, "learned", 32)[7], "n/a");
  for (int length : {64, 128}) EXPECT_EQ(row_of(rows, "learned", length)[7], "n/a");
  std::string md = slurp(straight_ / "results.md");
  EXPECT_THAT(md, HasSubstr("| encoding | 32 | 64 | 128 |"));
  EXPECT_THAT(md, ::testing::ContainsRegex("\\| learned \\| [0-9.]+ \\| n/a \\| n/a \\|"));
  EXPECT_EQ(out_, md);  // the table is also printed
  std::string png = slurp(straight_ / "results.png");
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_THAT(slurp(straight_ / "alibi" / "config.toml"), HasSubstr("position = 'alibi'"));
}

// A study score is `ropelm eval` of the same checkpoint with non-overlapping windows of that length.
TEST_F(StudyCli, ScoresEqualRopelmEval) {
  auto rows = ropelm::testing::csv_rows(slurp(straight_ / "results.csv"));
  for (const auto& [encoding, run, extra] :
       {std::tuple{"alibi", "alibi", ""}, std::tuple{"rope+yarn", "rope", " --rope-scaling yarn"}}) {
    CliResult eval = run_ropelm("--threads 1 eval --checkpoint " + (straight_ / run).string() +
                                " --context-length 128 --json" + extra);
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    auto json = nlohmann::json::parse(eval.out);
    auto row = row_of(rows, encoding, 128);
    EXPECT_EQ(std::stoll(row[5]), json["tokens"].get<int64_t>()) << encoding;
    EXPECT_DOUBLE_EQ(std::stod(row[6]), json["nll"].get<double>()) << encoding;
  }
}

TEST_F(StudyCli, ASecondCallTrainsNothing) {
  fs::path again = copy_of_run(straight_, "ropelm_study_test", "again");
  std::map<std::string, std::map<std::string, std::string>> before;
  for (const char* run : {"rope", "alibi", "learned"}) before[run] = run_files(again / run);
  CliResult result = study(again);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* run : {"rope", "alibi", "learned"}) {
    EXPECT_THAT(result.err,
                HasSubstr(std::string("study: ") + run + " is trained (step 24 of 24): skipping"));
    EXPECT_EQ(run_files(again / run), before[run]) << run;  // no new checkpoint, no new metrics row
  }
  EXPECT_THAT(result.err, Not(HasSubstr("study: training")));
  EXPECT_EQ(slurp(again / "results.csv"), slurp(straight_ / "results.csv"));
  // Another number of scored tokens re-scores (a study setting, not a model change) and still trains nothing.
  CliResult fewer = study(again, "--set study.eval_tokens=256");
  ASSERT_EQ(fewer.exit_code, 0) << fewer.err;
  EXPECT_THAT(fewer.err, Not(HasSubstr("study: training")));
  for (const auto& row : ropelm::testing::csv_rows(slurp(again / "results.csv")))
    if (row[5] != "tokens" && row[5] != "n/a") EXPECT_EQ(row[5], "256");
}

TEST_F(StudyCli, AModelChangeIsRefusedNamingTheRunDir) {
  fs::path changed = copy_of_run(straight_, "ropelm_study_test", "changed");
  expect_one_line_error(study(changed, "--set model.d_model=64"), "was trained with another config");
}

TEST_F(StudyCli, SigtermStopsTheStudyAndTheNextCallCompletesIt) {
  fs::path out = fresh_dir("ropelm_study_test", "sigterm");
  pid_t pid = spawn_ropelm("study " + kConfig + " --out " + out.string(), out.string() + ".out",
                           out.string() + ".err");
  // Stop it while it trains its second model, alibi, after the first is done.
  for (int i = 0; i < 20000 && logged_losses(out / "alibi").size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGTERM);
  ASSERT_EQ(wait_exit_code(pid), 0) << slurp(out.string() + ".err");
  std::string err = slurp(out.string() + ".err");
  EXPECT_THAT(err, HasSubstr("study stopped; continue it with: ropelm study"));
  ASSERT_FALSE(fs::exists(out / "results.csv")) << "the study finished before the signal arrived";
  size_t stopped_at = logged_losses(out / "alibi").size();
  CliResult again = study(out);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("study: rope is trained (step 24 of 24): skipping"));
  if (stopped_at < 24) EXPECT_THAT(again.err, HasSubstr("study: training alibi"));
  for (const char* run : {"rope", "alibi", "learned"})
    EXPECT_EQ(logged_losses(out / run), logged_losses(straight_ / run)) << run;  // bitwise
  EXPECT_EQ(slurp(out / "results.csv"), slurp(straight_ / "results.csv"));
}

TEST_F(StudyCli, BadStudyKeysAreOneLineErrors) {
  fs::path out = fresh_dir("ropelm_study_test", "bad");
  expect_one_line_error(study(out, "--set study.positions=t5"), "study.positions = 't5' is not one of");
  expect_one_line_error(study(out, "--set study.rope_scalings=dynamic"), "study.rope_scalings = 'dynamic'");
}

}  // namespace
}  // namespace ropelm::test
