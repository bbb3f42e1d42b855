// Finding and pruning checkpoints: ordering by step, falling back past damaged ones, keep-last-N-plus-best.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <sstream>

#include "checkpoint/checkpoint_dir.h"
#include "checkpoint/checkpoint_manifest.h"
#include "checkpoint/checkpoint_retention.h"
#include "test_helpers.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

CheckpointContents small_contents() {
  CheckpointContents contents;
  contents.model = {{"w", torch::ones({2, 2})}};
  contents.trainer_state = {{"step", 0}};
  contents.config_toml = "seed = 1\n";
  return contents;
}

std::vector<int64_t> steps_of(const std::vector<CheckpointInfo>& checkpoints) {
  std::vector<int64_t> steps;
  for (const auto& info : checkpoints) steps.push_back(info.step);
  return steps;
}

// Routes spdlog's default logger into a string for the lifetime of the object.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(CheckpointRetention, ListsStepDirectoriesByStepIgnoringOthers) {
  TempDir run;
  EXPECT_TRUE(list_checkpoints(run.path()).empty());
  for (int64_t step : {30, 4, 123456789}) save_checkpoint(run.path(), step, small_contents());
  fs::path checkpoints = run.path() / "checkpoints";
  fs::create_directory(checkpoints / "step_abc");
  fs::create_directory(checkpoints / "step_-5");
  fs::create_directory(checkpoints / ".tmp_step_00000099_1");
  write_bytes(checkpoints / "step_00000007", "a file, not a checkpoint");
  std::vector<CheckpointInfo> listed = list_checkpoints(run.path());
  EXPECT_EQ(steps_of(listed), (std::vector<int64_t>{4, 30, 123456789}));
  EXPECT_EQ(listed[2].dir, checkpoints / "step_123456789");
}

TEST(CheckpointRetention, NewestValidSkipsDamagedCheckpointsWithAWarning) {
  TempDir run;
  EXPECT_EQ(newest_valid_checkpoint(run.path()), std::nullopt);
  for (int64_t step : {1, 2, 3}) save_checkpoint(run.path(), step, small_contents());
  EXPECT_EQ(newest_valid_checkpoint(run.path()), checkpoint_dir_for(run.path(), 3));

  fs::path model3 = checkpoint_dir_for(run.path(), 3) / kModelFile;
  std::string bytes = read_bytes(model3);
  write_bytes(model3, bytes.substr(0, bytes.size() - 4));
  fs::remove(checkpoint_dir_for(run.path(), 2) / kManifestFile);
  CapturedLog log;
  EXPECT_EQ(newest_valid_checkpoint(run.path()), checkpoint_dir_for(run.path(), 1));
  EXPECT_NE(log.text().find("step_00000003"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("model.safetensors is"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("step_00000002"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("manifest.json is missing"), std::string::npos) << log.text();

  fs::remove(checkpoint_dir_for(run.path(), 1) / kConfigFile);
  EXPECT_EQ(newest_valid_checkpoint(run.path()), std::nullopt);
}

TEST(CheckpointRetention, PruneKeepsLastNPlusBestAndRemovesScratch) {
  TempDir run;
  for (int64_t step = 1; step <= 6; ++step) save_checkpoint(run.path(), step, small_contents());
  fs::path stale = run.path() / "checkpoints" / ".tmp_step_00000007_999";
  fs::create_directories(stale / "partial");
  prune_checkpoints(run.path(), 2, 2);
  EXPECT_EQ(steps_of(list_checkpoints(run.path())), (std::vector<int64_t>{2, 5, 6}));
  EXPECT_FALSE(fs::exists(stale));

  prune_checkpoints(run.path(), 0, 5);
  EXPECT_EQ(steps_of(list_checkpoints(run.path())), (std::vector<int64_t>{5}));
  prune_checkpoints(run.path(), 3, std::nullopt);
  EXPECT_EQ(steps_of(list_checkpoints(run.path())), (std::vector<int64_t>{5}));
}

// A damaged newer checkpoint must not take a "last N" slot, or pruning would delete the good ones.
TEST(CheckpointRetention, PruneCountsOnlyCompleteCheckpoints) {
  TempDir run;
  for (int64_t step : {1, 2, 3, 4}) save_checkpoint(run.path(), step, small_contents());
  fs::remove(checkpoint_dir_for(run.path(), 4) / kManifestFile);
  fs::remove(checkpoint_dir_for(run.path(), 3) / kConfigFile);
  CapturedLog log;
  prune_checkpoints(run.path(), 1, std::nullopt);
  EXPECT_EQ(steps_of(list_checkpoints(run.path())), (std::vector<int64_t>{2}));
  EXPECT_NE(log.text().find("removing incomplete checkpoint"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace ropelm
