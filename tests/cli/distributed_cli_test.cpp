// Data parallel end to end on Gloo: 2 ranks (started by --nproc or, as torchrun does, by their environment)
// train and evaluate like 1 process with the same global batch; a 2-rank run stopped by SIGTERM resumes on 1
// rank where it left off; a SIGKILLed rank fails the other within distributed.timeout_s without losing the
// run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "checkpoint/checkpoint_retention.h"
#include "checkpoint/safetensors_reader.h"
#include "cli_runner.h"
#include "distributed/local_launcher.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;

// Dropout off: each rank draws its own dropout masks, so only a deterministic model can match one process.
const std::string kTrain = "train " + kTinyConfig + " --set model.dropout=0.0 ";

void expect_losses_close(const std::map<int64_t, double>& a, const std::map<int64_t, double>& b,
                         size_t steps) {
  ASSERT_EQ(a.size(), steps);
  ASSERT_EQ(b.size(), steps);
  for (const auto& [step, loss] : a) EXPECT_NEAR(b.at(step), loss, 1e-5 * loss) << "step " << step;
}

// The newest checkpoints of two runs are of the same step and hold the same weights within 1e-5 (absolute:
// Adam divides by √v, so entries with tiny second moments, e.g. rare tokens' embeddings, carry
// summation-order differences of ~1e-6 that are large relative to a tensor of entries ~0.1).
void expect_final_weights_close(const fs::path& run_a, const fs::path& run_b) {
  auto last_a = newest_valid_checkpoint(run_a), last_b = newest_valid_checkpoint(run_b);
  ASSERT_TRUE(last_a && last_b);
  EXPECT_EQ(last_a->filename(), last_b->filename());
  auto weights_a = load_safetensors(*last_a / "model.safetensors");
  auto weights_b = load_safetensors(*last_b / "model.safetensors");
  ASSERT_EQ(weights_a.size(), weights_b.size());
  double largest_difference = 0;
  for (size_t i = 0; i < weights_a.size(); ++i) {
    const auto& [name, a] = weights_a[i];
    ASSERT_EQ(name, weights_b[i].first);
    double difference = (a - weights_b[i].second).abs().max().item<double>();
    EXPECT_LE(difference, 1e-5) << name;
    largest_difference = std::max(largest_difference, difference);
  }
  std::ostringstream text;
  text << largest_difference;
  ::testing::Test::RecordProperty("max_weight_difference", text.str());
}

// Runs `args` as `world_size` ranks started the way torchrun starts them: each process gets RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT and nothing else tells it its place.
std::vector<pid_t> spawn_ranks_by_environment(int world_size, const std::string& args,
                                              const fs::path& log_prefix) {
  const std::string port = std::to_string(free_loopback_port());
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world_size; ++rank) {
    ::setenv("RANK", std::to_string(rank).c_str(), 1);
    ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
    ::setenv("WORLD_SIZE", std::to_string(world_size).c_str(), 1);
    ::setenv("LOCAL_WORLD_SIZE", std::to_string(world_size).c_str(), 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", port.c_str(), 1);
    std::string prefix = log_prefix.string() + "." + std::to_string(rank);
    pids.push_back(spawn_ropelm(args, prefix + ".out", prefix + ".err"));
  }
  for (const char* name :
       {"RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"})
    ::unsetenv(name);
  return pids;
}

// One process trains 20 steps with batch 8 once for all tests of this suite; each test compares against it.
class DistributedCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    single_ = fresh_dir("ropelm_ddp_test", "single");
    CliResult one = run_ropelm(kTrain + "--set train.steps=20 --run-dir " + single_.string());
    ASSERT_EQ(one.exit_code, 0) << one.err;
  }
  // Trains 20 steps on 2 ranks (--nproc) with `sets` in a fresh run dir named `name`; checks it against
  // single_.
  static void expect_two_ranks_match(const std::string& name, const std::string& sets) {
    fs::path ranks = fresh_dir("ropelm_ddp_test", name);
    CliResult two =
        run_ropelm(kTrain + "--set train.steps=20 " + sets + " --nproc 2 --run-dir " + ranks.string());
    ASSERT_EQ(two.exit_code, 0) << two.err;
    expect_losses_close(logged_losses(single_), logged_losses(ranks), 20);
    expect_final_weights_close(single_, ranks);
  }
  static fs::path single_;
};
fs::path DistributedCli::single_;

TEST_F(DistributedCli, TwoRanksMatchOneProcessWithTheSameGlobalBatch) {
  expect_two_ranks_match("ranks", "--set data.batch_size=4");
}

TEST_F(DistributedCli, RanksStartedByTheirEnvironmentMatchOneProcess) {
  fs::path ranks = fresh_dir("ropelm_ddp_test", "env_ranks");
  auto pids = spawn_ranks_by_environment(
      2, kTrain + "--set train.steps=20 --set data.batch_size=4 --run-dir " + ranks.string(), ranks);
  for (pid_t pid : pids) ASSERT_EQ(wait_exit_code(pid), 0) << slurp(ranks.string() + ".0.err");
  expect_losses_close(logged_losses(single_), logged_losses(ranks), 20);
  expect_final_weights_close(single_, ranks);
}

// One rank torchrun started forms a (Gloo) process group of one: the collectives are identities, so its
// losses equal a plain process's exactly. On the GPU machine CudaCli runs the same comparison on NCCL.
TEST_F(DistributedCli, OneTorchrunRankWithAProcessGroupEqualsOneProcess) {
  fs::path ranks = fresh_dir("ropelm_ddp_test", "one_rank_group");
  auto pids =
      spawn_ranks_by_environment(1, kTrain + "--set train.steps=20 --run-dir " + ranks.string(), ranks);
  ASSERT_EQ(wait_exit_code(pids[0]), 0) << slurp(ranks.string() + ".0.err");
  EXPECT_THAT(slurp(ranks.string() + ".0.err"), ::testing::HasSubstr("data parallel: 1 ranks"));
  EXPECT_EQ(logged_losses(ranks), logged_losses(single_));
}

TEST_F(DistributedCli, EvalOnTwoRanksEqualsOneProcess) {
  fs::path last = *newest_valid_checkpoint(single_);
  // stride < context: overlapping windows, and a window count that does not split evenly over the ranks
  const std::string eval = "eval --checkpoint " + last.string() + " --stride 24 --batch-size 3 --json";
  CliResult one = run_ropelm(eval);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  CliResult two = run_ropelm(eval + " --nproc 2");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);  // one JSON line: rank 0's
  EXPECT_EQ(a["tokens"], b["tokens"]);
  EXPECT_NEAR(b["nll"].get<double>(), a["nll"].get<double>(), 1e-6 * a["nll"].get<double>());
  EXPECT_NEAR(b["perplexity"].get<double>(), a["perplexity"].get<double>(),
              1e-6 * a["perplexity"].get<double>());
}

TEST_F(DistributedCli, TwoRanksWithGradAccumMatchOneProcess) {
  expect_two_ranks_match("ranks_accum", "--set data.batch_size=2 --set train.grad_accum=2");
}

TEST_F(DistributedCli, SigtermedTwoRankRunResumesOnOneRank) {
  fs::path run = fresh_dir("ropelm_ddp_test", "sigterm_2");
  pid_t pid = spawn_ropelm(
      kTrain + "--set train.steps=20 --set data.batch_size=4 --nproc 2 --run-dir " + run.string(),
      run.string() + ".out", run.string() + ".err");
  for (int i = 0; i < 6000 && logged_losses(run).size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGTERM);  // the launcher forwards it to both ranks
  ASSERT_EQ(wait_exit_code(pid), 0) << slurp(run.string() + ".err");
  ASSERT_LT(logged_losses(run).size(), 20u) << "the run finished before the signal arrived";
  CliResult resumed = run_ropelm(kTrain + "--set train.steps=20 --resume auto --run-dir " + run.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_losses_close(logged_losses(single_), logged_losses(run), 20);
}

// The stop race, made deterministic: a SIGTERM that lands on one rank right after its stop vote (the seam
// ROPELM_TEST_SIGNAL_AFTER_VOTE=RANK:STEP) must not make that rank leave alone; both ranks see it at the next
// vote and stop together at the following step with one checkpoint, which resumes on one rank.
void expect_late_signal_stops_both_ranks_at_the_next_step(int signalled_rank,
                                                          const std::map<int64_t, double>& single) {
  fs::path run = fresh_dir("ropelm_ddp_test", "late_signal_" + std::to_string(signalled_rank));
  ::setenv("ROPELM_TEST_SIGNAL_AFTER_VOTE", (std::to_string(signalled_rank) + ":5").c_str(), 1);
  CliResult two =
      run_ropelm(kTrain + "--set train.steps=20 --set data.batch_size=4 --nproc 2 --run-dir " + run.string());
  ::unsetenv("ROPELM_TEST_SIGNAL_AFTER_VOTE");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_THAT(two.err, ::testing::HasSubstr("stopped at step 6 with a checkpoint"));
  EXPECT_EQ(logged_losses(run).size(), 6u);
  auto last = newest_valid_checkpoint(run);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->filename(), "step_00000006");
  CliResult resumed = run_ropelm(kTrain + "--set train.steps=20 --resume auto --run-dir " + run.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_losses_close(single, logged_losses(run), 20);
}

TEST_F(DistributedCli, SignalRightAfterRankOnesVoteStopsBothRanksAtTheNextStep) {
  expect_late_signal_stops_both_ranks_at_the_next_step(1, logged_losses(single_));
}

TEST_F(DistributedCli, SignalRightAfterRankZerosVoteStopsBothRanksAtTheNextStep) {
  expect_late_signal_stops_both_ranks_at_the_next_step(0, logged_losses(single_));
}

TEST_F(DistributedCli, SigkilledRankFailsTheOtherWithinTheTimeoutAndTheRunResumes) {
  fs::path run = fresh_dir("ropelm_ddp_test", "sigkill");
  const std::string train = kTrain +
                            "--set train.steps=20 --set checkpoint.interval=4 --set distributed.timeout_s=3 "
                            "--run-dir " +
                            run.string();
  auto pids = spawn_ranks_by_environment(2, train + " --set data.batch_size=4", run);
  for (int i = 0; i < 6000 && logged_losses(run).size() < 6; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pids[1], SIGKILL);
  auto killed_at = std::chrono::steady_clock::now();
  int survivor_code = wait_exit_code(pids[0]);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  wait_exit_code(pids[1]);
  ASSERT_LT(logged_losses(run).size(), 20u) << "the run finished before the kill";
  EXPECT_NE(survivor_code, 0);
  EXPECT_LT(seconds, 3.0 + 1.0) << "distributed.timeout_s = 3, plus slack";
  RecordProperty("survivor_exit_s", std::to_string(seconds));
  EXPECT_THAT(slurp(run.string() + ".0.err"), ::testing::HasSubstr("rank 1"));
  auto last = newest_valid_checkpoint(run);  // verified: manifest sizes and hashes
  ASSERT_TRUE(last.has_value());
  CliResult resumed = run_ropelm(train + " --resume auto");  // on one rank, with the same global batch
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_losses_close(logged_losses(single_), logged_losses(run), 20);
  expect_final_weights_close(single_, run);
}

}  // namespace
}  // namespace ropelm::test
