// Nothing lost in a run dir: one training at a time (a lock), a resume from an older checkpoint sets the
// abandoned continuation aside, resume notices a vocabulary or corpus edited in place and a weight of another
// dtype, --overwrite (not --force) starts over and never half-way, and checkpoint.keep_best keeps the best
// validation as a real checkpoint. Each test failed before its fix (issue 19, items 2, 3, 4, 5 and 9).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "checkpoint/checkpoint_manifest.h"
#include "checkpoint/checkpoint_retention.h"
#include "checkpoint/safetensors_reader.h"
#include "checkpoint/safetensors_writer.h"
#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTrain = "train " + kTinyConfig + " ";

CliResult train(const fs::path& run_dir, const std::string& extra) {
  return run_ropelm(kTrain + "--run-dir " + run_dir.string() + " " + extra);
}

// A user error in a command that logs as it goes: exit 2 and exactly one "error: " line containing fragment.
void expect_user_error(const CliResult& result, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  std::istringstream lines(result.err);
  int errors = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("error: ", 0) != 0) continue;
    ++errors;
    EXPECT_THAT(line, HasSubstr(fragment));
  }
  EXPECT_EQ(errors, 1) << result.err;
  EXPECT_THAT(result.err, Not(HasSubstr("terminate called")));
}

std::string step_name(int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step_%08lld", static_cast<long long>(step));
  return name;
}

std::vector<int64_t> checkpoint_steps(const fs::path& run_dir) {
  std::vector<int64_t> steps;
  for (const auto& checkpoint : list_checkpoints(run_dir)) steps.push_back(checkpoint.step);
  return steps;
}

TEST(RunDirSafety, ASecondTrainingInTheSameRunDirIsRefusedNamingThePid) {
  fs::path run = fresh_dir("ropelm_run_dir_test", "locked");
  pid_t first = spawn_ropelm(kTrain + "--set train.steps=100000 --run-dir " + run.string(),
                             run.string() + ".out", run.string() + ".err");
  for (int i = 0; i < 6000 && logged_losses(run).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_FALSE(logged_losses(run).empty()) << slurp(run.string() + ".err");
  CliResult second = train(run, "--resume auto");
  ::kill(first, SIGTERM);
  EXPECT_EQ(wait_exit_code(first), 0) << slurp(run.string() + ".err");
  expect_user_error(second, "is in use by pid " + std::to_string(first));
  // The first run's metrics were not rewritten by the second: one row per step, in order, from step 1.
  auto losses = logged_losses(run);
  ASSERT_FALSE(losses.empty());
  EXPECT_EQ(losses.begin()->first, 1);
  EXPECT_EQ(losses.rbegin()->first, static_cast<int64_t>(losses.size()));
  // Released by the kernel with the process: the run continues.
  EXPECT_EQ(train(run, "--resume auto --set train.steps=" + std::to_string(losses.size() + 1)).exit_code, 0);
}

class SavedRun : public ::testing::Test {
 protected:
  // 20 steps, a checkpoint every 5 (all kept), validations at 8, 16 and 20 (none saved besides).
  static void SetUpTestSuite() {
    run_ = fresh_dir("ropelm_run_dir_test", "saved");
    CliResult result = train(run_,
                             "--set train.steps=20 --set checkpoint.interval=5 --set checkpoint.keep_last=10 "
                             "--set checkpoint.keep_best=false");
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  static fs::path copy(const std::string& name) { return copy_of_run(run_, "ropelm_run_dir_test", name); }
  static fs::path run_;
};
fs::path SavedRun::run_;

TEST_F(SavedRun, ResumingAnOlderCheckpointSetsTheLaterOnesAside) {
  fs::path run = copy("older");
  CliResult resumed = train(run, "--set train.steps=12 --set checkpoint.interval=1 --resume " +
                                     (run / "checkpoints" / step_name(10)).string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("belong to the abandoned run"));
  // The new branch's checkpoints are all there and --resume auto finds its newest, not the abandoned 20.
  EXPECT_EQ(checkpoint_steps(run), (std::vector<int64_t>{5, 10, 11, 12}));
  EXPECT_EQ(newest_valid_checkpoint(run)->filename(), step_name(12));
  // The abandoned ones were moved, not deleted.
  int moved = 0;
  for (const auto& entry : fs::directory_iterator(run / "checkpoints")) {
    if (entry.path().filename().string().rfind("abandoned-", 0) != 0) continue;
    for (int64_t step : {15, 20}) moved += verify_checkpoint(entry.path() / step_name(step));
  }
  EXPECT_EQ(moved, 2);
}

TEST_F(SavedRun, AVocabularyEditedInPlaceIsAResumeChange) {
  fs::path run = fresh_dir("ropelm_run_dir_test", "vocab_edit");
  fs::path vocab = run.string() + "-vocab.txt";
  fs::copy_file(fs::path(ROPELM_SOURCE_DIR) / "data/tinyshakespeare-wordpiece-1000.txt", vocab,
                fs::copy_options::overwrite_existing);
  const std::string with_vocab = "--set tokenizer.vocab=" + vocab.string() + " --set train.steps=6 ";
  ASSERT_EQ(train(run, with_vocab + "--set checkpoint.interval=3").exit_code, 0);
  std::string text = slurp(vocab);
  std::ofstream(vocab) << text.substr(0, text.size() - 1) << "x\n";  // the last entry, renamed
  CliResult refused = train(run, with_vocab + "--set train.steps=8 --resume auto");
  expect_user_error(refused, "changed since the checkpoint");
  EXPECT_THAT(refused.err, HasSubstr(vocab.filename().string()));
}

TEST_F(SavedRun, ACorpusEditedInPlaceIsAResumeChange) {
  fs::path run = fresh_dir("ropelm_run_dir_test", "corpus_edit");
  fs::path corpus = run.string() + "-verdict.txt";
  std::string text = slurp(fs::path(ROPELM_SOURCE_DIR) / "data/the-verdict.txt");
  std::ofstream(corpus) << text;
  const std::string with_corpus = "--set data.train=" + corpus.string() + " --set train.steps=6 ";
  ASSERT_EQ(train(run, with_corpus).exit_code, 0);
  size_t at = text.find(" the ");  // one word for another of one token each: the token count stays
  std::ofstream(corpus) << text.replace(at, 5, " and ");
  CliResult refused = train(run, with_corpus + "--set train.steps=8 --resume auto");
  expect_user_error(refused, "corpus tokens");
}

TEST_F(SavedRun, AWeightOfAnotherDtypeIsRefused) {
  fs::path run = copy("dtype");
  fs::path dir = run / "checkpoints" / step_name(20);
  auto weights = load_safetensors(dir / "model.safetensors");
  weights[0].second = weights[0].second.to(torch::kInt);
  save_safetensors(dir / "model.safetensors", weights);
  std::vector<std::string> files;
  for (const auto& file : read_manifest(dir).files) files.push_back(file.name);
  write_manifest(dir, 20, files, read_manifest(dir).tokenizer_files);  // consistent: only the dtype is off
  expect_one_line_error(run_ropelm("info --checkpoint " + dir.string()), "Int in the checkpoint but Float");
}

// Runs now save their inputs as absolute paths; a checkpoint from before says "data/the-verdict.txt".
// Resolved from the working directory they name the same files: no change to refuse.
TEST_F(SavedRun, ACheckpointWithRelativeInputPathsResumes) {
  fs::path run = copy("relative_paths");
  fs::path dir = run / "checkpoints" / step_name(20);
  std::string config = slurp(dir / "config.toml");
  const std::string root = std::string(ROPELM_SOURCE_DIR) + "/";
  for (size_t at; (at = config.find(root)) != std::string::npos;) config.erase(at, root.size());
  ASSERT_THAT(config, HasSubstr("'data/the-verdict.txt'"));
  std::ofstream(dir / "config.toml") << config;
  std::vector<std::string> files;
  for (const auto& file : read_manifest(dir).files) files.push_back(file.name);
  write_manifest(dir, 20, files, read_manifest(dir).tokenizer_files);
  CliResult resumed = train(run, "--set train.steps=21 --resume auto");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resumed from " + dir.string()));
}

TEST_F(SavedRun, ForceNoLongerOverwritesAndOverwriteSaysWhatItRemoves) {
  fs::path run = copy("overwrite");
  expect_user_error(train(run, "--set train.steps=2"), "--overwrite");
  expect_user_error(train(run, "--set train.steps=2 --force"), "--overwrite");
  EXPECT_EQ(checkpoint_steps(run), (std::vector<int64_t>{5, 10, 15, 20}));
  CliResult over = train(run, "--set train.steps=2 --overwrite");
  ASSERT_EQ(over.exit_code, 0) << over.err;
  EXPECT_THAT(over.err, HasSubstr("--overwrite: removing 4 checkpoints (steps 5 to 20)"));
  EXPECT_EQ(checkpoint_steps(run), (std::vector<int64_t>{2}));
}

TEST_F(SavedRun, OverwritingAReadOnlyRunDirFailsBeforeRemovingAnything) {
  fs::path run = copy("read_only");
  fs::permissions(run, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  // Root ignores permissions: run as nobody then (everything it reads is world-readable).
  const std::string as_user = ::geteuid() == 0 ? "--reuid=65534 --regid=65534 --clear-groups " : "";
  auto train_as_user = [&](const std::string& flag) {
    return run_program("/usr/bin/setpriv", as_user + "'" + std::string(ROPELM_BIN) + "' " + kTrain +
                                               "--set train.steps=2 " + flag + " --run-dir " + run.string());
  };
  CliResult refused = train_as_user("--overwrite");
  CliResult forced = train_as_user("--force");  // what started over before --overwrite existed (it aborted)
  fs::permissions(run, fs::perms::owner_write, fs::perm_options::add);
  expect_user_error(refused, "cannot create lock file");
  expect_user_error(forced, "cannot create lock file");
  EXPECT_EQ(checkpoint_steps(run), (std::vector<int64_t>{5, 10, 15, 20}));
}

TEST_F(SavedRun, TheBestValidationIsARealCheckpoint) {
  // Validations at steps 2 and 4, checkpoints every 50 (and at the end), and a learning rate so high that
  // step 4 validates worse than step 2 here (10.33 vs 11.31 nats): the best is a step no interval checkpoint
  // holds. What is checked does not depend on which step wins.
  fs::path run = fresh_dir("ropelm_run_dir_test", "best");
  ASSERT_EQ(train(run,
                  "--set train.steps=4 --set train.eval_interval=2 --set checkpoint.interval=50 "
                  "--set checkpoint.keep_last=1 --set checkpoint.keep_best=true --set optim.lr=0.3 "
                  "--set optim.schedule=constant --set optim.warmup_steps=1")
                .exit_code,
            0);
  fs::path last_dir = run / "checkpoints" / step_name(4);
  auto last = nlohmann::json::parse(slurp(last_dir / "trainer_state.json"));
  auto best = best_checkpoint(run);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->filename(), step_name(last["best_step"].get<int64_t>()));
  auto state = nlohmann::json::parse(slurp(*best / "trainer_state.json"));
  EXPECT_EQ(state["val_loss"], state["best_val_loss"]);  // the weights of the step the best loss was measured
  // `info`: the checkpoint's own validation loss, and the run's best apart from it.
  CliResult info = run_ropelm("info --checkpoint " + last_dir.string());
  EXPECT_THAT(info.out, HasSubstr(fmt::format("val loss        {:.4f} (this checkpoint's step)",
                                              last["val_loss"].get<double>())));
  EXPECT_THAT(info.out,
              HasSubstr(fmt::format("best val loss   {:.4f} (the run's best so far, step {})",
                                    last["best_val_loss"].get<double>(), last["best_step"].get<int64_t>())));
}

TEST_F(SavedRun, TheEndOfTrainingSaysWhatToTryNext) {
  CliResult again = train(copy("next"), "--set train.steps=21 --resume auto");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("final validation: loss"));
  EXPECT_THAT(again.err, HasSubstr("best validation: loss"));
  EXPECT_THAT(again.err, HasSubstr(std::string(ROPELM_BIN) + " eval --checkpoint "));
  EXPECT_THAT(again.err, HasSubstr(" generate --checkpoint "));
  EXPECT_THAT(again.err, Not(HasSubstr("error")));
}

}  // namespace
}  // namespace ropelm::test
