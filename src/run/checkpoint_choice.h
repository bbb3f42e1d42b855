// What `--checkpoint DIR` and `--resume DIR` name: a checkpoint directory, or a whole run dir standing for
// one of its checkpoints.
#pragma once

#include <filesystem>

namespace ropelm {

enum class RunDirChoice {
  kBestElseNewest,  // eval, generate, info, export: the run's best checkpoint, else its newest valid one
  kNewest,          // train --resume: the newest valid checkpoint, as --resume auto picks
};

// True for a run dir (it has a checkpoints/ folder and is no checkpoint itself, having no manifest.json).
bool is_run_dir(const std::filesystem::path& path);

// `path` unchanged unless it is a run dir; for a run dir, the checkpoint `choice` picks, announced in one
// info line naming it and why. Throws UserError for a run dir without a valid checkpoint.
std::filesystem::path resolve_checkpoint_dir(const std::filesystem::path& path, RunDirChoice choice);

}  // namespace ropelm
