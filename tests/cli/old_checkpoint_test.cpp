// A checkpoint written by the code of commit 35eba1f, before the run/ layer, the config enums and the loader
// redesign (tests/fixtures/resume-35eba1f, made by `ropelm train` at that commit on Debian's
// LibTorch 1.13.1): today's ropelm resumes it and finishes the run that made it exactly as that run went on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/version.h>

#include <fstream>

#include "cli_runner.h"
#include "util/sha256.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(ROPELM_SOURCE_DIR) / "tests/fixtures/resume-35eba1f";

// "<sha256> step_00000012/<file>" lines: the uninterrupted run's final checkpoint files.
std::map<std::string, std::string> final_hashes() {
  std::map<std::string, std::string> hashes;
  std::ifstream in(kFixture / "step_00000012.sha256");
  for (std::string hash, name; in >> hash >> name;) hashes[fs::path(name).filename().string()] = hash;
  return hashes;
}

TEST(OldCheckpoint, TheCheckpointOfCommit35eba1fResumesAsItsRunWentOn) {
  fs::path run = fresh_dir("ropelm_old_checkpoint", "run");
  fs::create_directories(run / "checkpoints");
  fs::copy(kFixture / "step_00000006", run / "checkpoints/step_00000006", fs::copy_options::recursive);
  CliResult resumed = run_ropelm("train --config " + (kFixture / "train.toml").string() + " --run-dir " +
                                 run.string() + " --resume auto");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  std::map<int64_t, double> expected = logged_losses(kFixture), got = logged_losses(run);
  ASSERT_EQ(got.size(), 6u);  // steps 7 to 12
  // The fixture was made on Debian's LibTorch 1.13.1 (CPU, one thread): there the continuation is exact; a
  // LibTorch of another version sums in another order, so elsewhere it agrees to rounding.
  const bool same_libtorch = std::string(TORCH_VERSION).starts_with("1.13.1");
  for (const auto& [step, loss] : got) {
    if (same_libtorch) {
      EXPECT_EQ(loss, expected.at(step)) << "step " << step;
    } else {
      EXPECT_NEAR(loss, expected.at(step), 1e-5 * expected.at(step)) << "step " << step;
    }
  }
  if (!same_libtorch) return;
  for (const auto& [file, hash] : final_hashes())
    EXPECT_EQ(sha256_file(run / "checkpoints/step_00000012" / file), hash) << file;
}

}  // namespace
}  // namespace ropelm::test
