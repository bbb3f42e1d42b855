// Which config changes a resume may carry: those that keep the run exact are reported, the others refused.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "data/corpus.h"

namespace ropelm {

struct ConfigDiff {
  std::vector<std::string> breaking;  // "data.stride: 4 -> 8" — would change the batches or the model
  std::vector<std::string> allowed;   // "train.steps: 100 -> 200"
};

// Compares the checkpoint's config with the one the run was started with now.
ConfigDiff diff_for_resume(const Config& saved, const Config& now);

// The tokenizer files of `now` whose contents differ from the copies the checkpoint holds (by the sha256 its
// manifest records), as breaking changes: a vocabulary edited in place keeps its path and its config line.
std::vector<std::string> tokenizer_file_changes(const std::filesystem::path& checkpoint_dir,
                                                const TokenizerConfig& now);

// The corpus as this run tokenised it: its caches' checksums (TrainingState::corpus_checksum).
std::string corpus_checksum(const Corpus& corpus);

}  // namespace ropelm
