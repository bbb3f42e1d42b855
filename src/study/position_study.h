// `ropelm study`: which position encoding generalises past its training length? The same model is trained
// once per encoding (ordinary, resumable run dirs), then scored at growing lengths, as in Press et al. 2022
// (ALiBi), Figure 1.
#pragma once

#include <filesystem>
#include <string>

#include "config/config.h"

namespace ropelm {

struct StudyOptions {
  std::filesystem::path out_dir;   // OUT/<position> run dirs, OUT/results.{csv,md,png}
  std::string program = "ropelm";  // how the user ran ropelm, for the commands the runs print
  std::string again_hint;          // the command line that continues this study
};

// Trains what is not trained yet (resuming a stopped run), scores what is not scored yet (see
// StudyEvalCache), then writes OUT/results.csv, results.md and results.png and prints the table. A stop
// signal ends it at the next step or score boundary, with a checkpoint, saying how to continue. Throws
// UserError for a bad study section, and for a run dir trained with another config.
void run_study(const Config& config, const StudyOptions& options);

}  // namespace ropelm
