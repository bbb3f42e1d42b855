// Run dir → checkpoint, for the commands that read one.
#include "run/checkpoint_choice.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "checkpoint/checkpoint_retention.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;

bool is_run_dir(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path / "checkpoints", error) && !fs::exists(path / "manifest.json", error);
}

fs::path resolve_checkpoint_dir(const fs::path& path, RunDirChoice choice) {
  if (!is_run_dir(path)) return path;
  if (choice == RunDirChoice::kBestElseNewest) {
    if (std::optional<fs::path> best = best_checkpoint(path)) {
      spdlog::info("{} is a run dir: using its best checkpoint {}", path.string(), best->string());
      return *best;
    }
  }
  std::optional<fs::path> newest = newest_valid_checkpoint(path);
  if (!newest) {
    throw UserError(path.string() + " is a run dir without a valid checkpoint (nothing under " +
                    (path / "checkpoints").string() + " verifies): pass a checkpoint directory");
  }
  spdlog::info("{} is a run dir: using its newest valid checkpoint {}", path.string(), newest->string());
  return *newest;
}

}  // namespace ropelm
