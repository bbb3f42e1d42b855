// Opening a run dir for training: lock first, then clear (only on --overwrite), then write.
#include "run/run_dir.h"

#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint_retention.h"
#include "config/load.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/logging.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// Creates the dir (UserError naming it when that fails) and returns the lock file's path.
fs::path created_lock_path(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) {
    throw UserError("cannot create run dir " + path.string() + ": " + error.message() +
                    " (choose another with --run-dir)");
  }
  return path / ".lock";
}

}  // namespace

TrainingRunDir::TrainingRunDir(const fs::path& path, const Config& config, bool resuming, bool overwrite)
    : path_(path),
      // Taken before anything in the run dir changes; creating the lock file also proves the dir is writable.
      lock_(FileLock::acquire_or_fail(
          created_lock_path(path), "run dir " + path.string(),
          "another training is writing it; wait for it to end or stop it, or choose another --run-dir")) {
  std::vector<CheckpointInfo> checkpoints = list_checkpoints(path_);
  if (!checkpoints.empty() && !resuming) {
    if (!overwrite) {
      throw UserError("run dir " + path_.string() +
                      " already has checkpoints: continue it with --resume auto, or start over with "
                      "--overwrite (removes them)");
    }
    spdlog::warn("--overwrite: removing {} checkpoints (steps {} to {}) of {}", checkpoints.size(),
                 checkpoints.front().step, checkpoints.back().step, path_.string());
    fs::remove_all(path_ / "checkpoints");
  }
  write_file_atomic(path_ / "config.toml", to_toml(config));
  add_log_file(path_ / "train.log");
}

}  // namespace ropelm
