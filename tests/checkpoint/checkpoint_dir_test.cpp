// Checkpoint directories: save/load round trip, manifest-last validity, corruption detection, failed saves.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <csignal>

#include "checkpoint/checkpoint_dir.h"
#include "checkpoint/checkpoint_manifest.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/sha256.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

// Contents resembling a trainer's, with tokenizer files written into `source_dir`.
CheckpointContents make_contents(const fs::path& source_dir, float fill) {
  write_bytes(source_dir / "encoder.json", R"({"a": 0, "b": 1})");
  write_bytes(source_dir / "vocab.bpe", "#version: 0.2\na b\n");
  CheckpointContents contents;
  contents.model = {{"embedding.weight", torch::full({8, 4}, fill)},
                    {"blocks.0.norm.weight", torch::ones({4}, torch::kBFloat16)}};
  contents.optimizer = {{"embedding.weight.exp_avg", torch::full({8, 4}, fill / 2)},
                        {"embedding.weight.exp_avg_sq", torch::full({8, 4}, fill / 4)}};
  contents.trainer_state = {{"step", 10}, {"tokens_seen", 12345}, {"fill", fill}};
  contents.config_toml = "[model]\nd_model = 4\n";
  contents.tokenizer_files = {source_dir / "encoder.json", source_dir / "vocab.bpe"};
  return contents;
}

at::Tensor tensor_named(const NamedTensors& tensors, const std::string& name) {
  for (const auto& [key, tensor] : tensors) {
    if (key == name) return tensor;
  }
  ADD_FAILURE() << "no tensor " << name;
  return {};
}

std::vector<std::string> scratch_entries(const fs::path& checkpoints) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(checkpoints)) {
    if (entry.path().filename().string().rfind(".tmp_", 0) == 0) names.push_back(entry.path().filename());
  }
  return names;
}

TEST(CheckpointDir, SaveThenLoadRoundTrips) {
  TempDir run;
  CheckpointContents contents = make_contents(run.path(), 1.5f);
  fs::path dir = save_checkpoint(run.path(), 10, contents);
  EXPECT_EQ(dir, run.path() / "checkpoints" / "step_00000010");
  EXPECT_TRUE(scratch_entries(run.path() / "checkpoints").empty());

  VerifiedCheckpoint loaded = load_checkpoint(dir);
  EXPECT_EQ(loaded.step, 10);
  for (const auto& [name, tensor] : contents.model)
    EXPECT_TRUE(torch::equal(tensor_named(loaded.contents.model, name), tensor)) << name;
  for (const auto& [name, tensor] : contents.optimizer) {
    EXPECT_TRUE(torch::equal(tensor_named(loaded.contents.optimizer, name), tensor)) << name;
  }
  EXPECT_EQ(loaded.contents.trainer_state, contents.trainer_state);
  EXPECT_EQ(loaded.contents.config_toml, contents.config_toml);
  ASSERT_EQ(loaded.contents.tokenizer_files.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(loaded.contents.tokenizer_files[i], dir / contents.tokenizer_files[i].filename());
    EXPECT_EQ(read_bytes(loaded.contents.tokenizer_files[i]), read_bytes(contents.tokenizer_files[i]));
  }
}

TEST(CheckpointDir, ManifestRecordsEveryFilesSizeAndHash) {
  TempDir run;
  fs::path dir = save_checkpoint(run.path(), 3, make_contents(run.path(), 1.0f));
  CheckpointManifest manifest = read_manifest(dir);
  EXPECT_EQ(manifest.step, 3);
  EXPECT_EQ(manifest.tokenizer_files, (std::vector<std::string>{"encoder.json", "vocab.bpe"}));
  std::set<std::string> listed;
  for (const auto& file : manifest.files) {
    listed.insert(file.name);
    EXPECT_EQ(file.size, fs::file_size(dir / file.name)) << file.name;
    EXPECT_EQ(file.sha256, sha256_file(dir / file.name)) << file.name;
  }
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(dir)) present.insert(entry.path().filename());
  present.erase(kManifestFile);
  EXPECT_EQ(listed, present);  // no stray temp files, nothing unlisted
}

TEST(CheckpointDir, DirectoryWithoutManifestIsInvalid) {
  TempDir run;
  fs::path dir = save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f));
  fs::remove(dir / kManifestFile);
  std::string why;
  EXPECT_FALSE(verify_checkpoint(dir, &why));
  EXPECT_NE(why.find("manifest.json is missing"), std::string::npos) << why;
  EXPECT_THROW(load_checkpoint(dir), UserError);
}

// Truncating, altering (same size) or deleting any listed file fails verification, naming that file.
TEST(CheckpointDir, AnyDamagedFileFailsVerificationNamingIt) {
  TempDir run;
  fs::path dir = save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f));
  const std::vector<std::string> names = {kModelFile,  kOptimizerFile, kTrainerStateFile,
                                          kConfigFile, "encoder.json", "vocab.bpe"};
  for (const std::string& name : names) {
    const std::string original = read_bytes(dir / name);
    std::string flipped = original;
    flipped[flipped.size() / 2] ^= 0x01;
    for (const std::string& damaged :
         {original.substr(0, original.size() - 1), flipped, std::string("gone")}) {
      SCOPED_TRACE(name + " damaged to " + std::to_string(damaged.size()) + " bytes");
      if (damaged == "gone") {
        fs::remove(dir / name);
      } else {
        write_bytes(dir / name, damaged);
      }
      std::string why;
      EXPECT_FALSE(verify_checkpoint(dir, &why));
      EXPECT_NE(why.find(name), std::string::npos) << why;
      try {
        load_checkpoint(dir);
        ADD_FAILURE() << "loaded a damaged checkpoint";
      } catch (const UserError& error) {
        EXPECT_NE(std::string(error.what()).find(name), std::string::npos) << error.what();
      }
    }
    write_bytes(dir / name, original);
    EXPECT_TRUE(verify_checkpoint(dir));
  }
}

TEST(CheckpointDir, ManifestNamesCannotLeaveTheDirectory) {
  TempDir run;
  fs::path dir = save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f));
  std::string manifest = read_bytes(dir / kManifestFile);
  size_t at = manifest.find("\"config.toml\"");
  ASSERT_NE(at, std::string::npos);
  write_bytes(dir / kManifestFile, manifest.replace(at, 13, "\"../x.toml\""));
  std::string why;
  EXPECT_FALSE(verify_checkpoint(dir, &why));
  EXPECT_NE(why.find("bad file name '../x.toml'"), std::string::npos) << why;
}

TEST(CheckpointDir, ResavingAStepReplacesIt) {
  TempDir run;
  save_checkpoint(run.path(), 5, make_contents(run.path(), 1.0f));
  fs::path dir = save_checkpoint(run.path(), 5, make_contents(run.path(), 2.0f));
  VerifiedCheckpoint loaded = load_checkpoint(dir);
  EXPECT_EQ(loaded.contents.trainer_state["fill"], 2.0f);
  EXPECT_TRUE(scratch_entries(run.path() / "checkpoints").empty());
}

// A save that fails midway (here: a tokenizer file vanished, after the safetensors files were written)
// throws, removes its scratch directory and leaves earlier checkpoints, including one of the same step,
// untouched.
TEST(CheckpointDir, FailedSaveLeavesEarlierCheckpointsIntact) {
  TempDir run;
  fs::path first = save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f));
  fs::path second = save_checkpoint(run.path(), 2, make_contents(run.path(), 2.0f));
  CheckpointContents broken = make_contents(run.path(), 3.0f);
  broken.tokenizer_files.push_back(run.path() / "missing.model");
  for (int64_t step : {2, 3}) {
    try {
      save_checkpoint(run.path(), step, broken);
      ADD_FAILURE() << "save should have failed";
    } catch (const UserError& error) {
      EXPECT_NE(std::string(error.what()).find("missing.model"), std::string::npos) << error.what();
    }
  }
  EXPECT_TRUE(verify_checkpoint(first));
  EXPECT_TRUE(verify_checkpoint(second));
  EXPECT_EQ(load_checkpoint(second).contents.trainer_state["fill"], 2.0f);
  EXPECT_FALSE(fs::exists(run.path() / "checkpoints" / "step_00000003"));
  EXPECT_TRUE(scratch_entries(run.path() / "checkpoints").empty());
}

TEST(CheckpointDir, TokenizerFileNamedLikeACheckpointFileIsRefused) {
  TempDir run;
  CheckpointContents contents = make_contents(run.path(), 1.0f);
  write_bytes(run.path() / kConfigFile, "clash");
  contents.tokenizer_files.push_back(run.path() / kConfigFile);
  EXPECT_THROW(save_checkpoint(run.path(), 1, contents), UserError);
  EXPECT_TRUE(scratch_entries(run.path() / "checkpoints").empty());
}

TEST(CheckpointDir, UnwritableRunDirThrowsUserError) {
  TempDir run;
  write_bytes(run.path() / "checkpoints", "a regular file where the folder should be");
  EXPECT_THROW(save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f)), UserError);
}

// Root ignores permission bits, so the save runs in a child that, when root, drops to user nobody (for whom
// the test's directories are read-only too): the test means the same as root and as a user.
TEST(CheckpointDir, ReadOnlyRunDirThrowsUserError) {
  TempDir run;
  fs::path first = save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f));
  CheckpointContents second = make_contents(run.path(), 2.0f);
  fs::permissions(run.path() / "checkpoints", fs::perms::owner_write, fs::perm_options::remove);
  pid_t child = ::fork();
  if (child == 0) {
    constexpr uid_t kNobody = 65534;
    if (::geteuid() == 0 && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) ::_exit(3);
    try {
      save_checkpoint(run.path(), 2, second);
    } catch (const UserError&) {
      ::_exit(0);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  fs::permissions(run.path() / "checkpoints", fs::perms::owner_write, fs::perm_options::add);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the save succeeded; 3: could not drop root";
  EXPECT_TRUE(verify_checkpoint(first));
}

// A full disk, simulated with RLIMIT_FSIZE (writes past the limit fail with EFBIG; works as root too).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limited = previous_;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit previous_{};
  void (*previous_handler_)(int);
};

TEST(CheckpointDir, DiskFullDuringSaveLeavesEarlierCheckpointIntact) {
  TempDir run;
  fs::path first = save_checkpoint(run.path(), 1, make_contents(run.path(), 1.0f));
  CheckpointContents big = make_contents(run.path(), 2.0f);
  big.model.emplace_back("big", torch::zeros({64, 1024}));
  {
    FileSizeLimit limit(64 * 1024);
    EXPECT_THROW(save_checkpoint(run.path(), 1, big), UserError);
  }
  EXPECT_TRUE(verify_checkpoint(first));
  EXPECT_EQ(load_checkpoint(first).contents.trainer_state["fill"], 1.0f);
  EXPECT_TRUE(scratch_entries(run.path() / "checkpoints").empty());
}

}  // namespace
}  // namespace ropelm
