// A run directory as a training holds it: created, locked against a second training for the run's whole
// lifetime, cleared only when asked, with the run's config.toml and train.log.
#pragma once

#include <filesystem>

#include "config/config.h"
#include "util/file_lock.h"

namespace ropelm {

class TrainingRunDir {
 public:
  // Creates `path` and takes RUN_DIR/.lock (UserError naming the pid that holds it) before anything in it
  // changes. A dir that has checkpoints is refused unless the run resumes, or `overwrite` asks to start over
  // (the checkpoints are then removed, and the removal logged). Writes config.toml and logs to train.log.
  TrainingRunDir(const std::filesystem::path& path, const Config& config, bool resuming, bool overwrite);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  FileLock lock_;  // released by the kernel when the process ends, however it ends
};

}  // namespace ropelm
