// Finding and pruning the checkpoints of a run: listing by step, the newest valid one, keep-last-N-plus-best.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace ropelm {

struct CheckpointInfo {
  int64_t step = 0;
  std::filesystem::path dir;
};

// The step_<digits> directories under run_dir/checkpoints, ascending by step; nothing is verified. Empty when
// the folder does not exist.
std::vector<CheckpointInfo> list_checkpoints(const std::filesystem::path& run_dir);

// The newest checkpoint that verifies (sizes and sha256); each newer one that does not is skipped with a
// warning naming it and why. Used by `--resume auto`.
std::optional<std::filesystem::path> newest_valid_checkpoint(const std::filesystem::path& run_dir);

// The run's best checkpoint (checkpoint.keep_best): the one named by run_dir/checkpoints/best.json, when that
// file exists and the checkpoint it names verifies; nullopt otherwise.
std::optional<std::filesystem::path> best_checkpoint(const std::filesystem::path& run_dir);

// Records step's checkpoint as the run's best (run_dir/checkpoints/best.json, written atomically).
void mark_best_checkpoint(const std::filesystem::path& run_dir, int64_t step, double val_loss);

// After a resume from step `step`: the checkpoints of later steps belong to the abandoned continuation. They
// are moved (never deleted) into run_dir/checkpoints/abandoned-<UTC time>/, out of retention's and
// --resume auto's way, with a log line; a best.json naming one of them is moved along.
void set_aside_later_checkpoints(const std::filesystem::path& run_dir, int64_t step);

// Keeps the keep_last newest complete checkpoints (manifest present, file sizes match; hashes are left to
// load time) plus best_step's, removes every other step directory and any stale ".tmp_*" scratch directory
// left by a crashed save. Removal failures are logged, not thrown: pruning must not stop a run.
void prune_checkpoints(const std::filesystem::path& run_dir, int64_t keep_last,
                       std::optional<int64_t> best_step);

}  // namespace ropelm
