// `ropelm train`: the training loop with validation, checkpoints, exact resume and clean stops.
#pragma once

#include <filesystem>
#include <string>

#include "config/config.h"

namespace ropelm {

struct TrainOptions {
  std::filesystem::path run_dir;
  std::string
      resume;  // "": a fresh run; "auto": the newest valid checkpoint of run_dir (if any); else a path
  bool force = false;      // resume despite changes that break exactness (never a change of weight shapes)
  bool overwrite = false;  // start over in a run dir that has checkpoints (they are removed, and logged)
  std::string program = "ropelm";  // how the user ran ropelm: the commands printed at the end use it
  std::string resume_hint;  // the command line that resumes this run, printed when it stops early
};

// Trains until train.steps or a stop signal (then writes a checkpoint and returns). Throws UserError for bad
// input (exit 2) and ExitRequest{kExitTooManyBadSteps} after train.max_bad_steps non-finite steps in a row.
void train(const Config& config, const TrainOptions& options);

}  // namespace ropelm
