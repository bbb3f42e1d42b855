// One checkpoint directory, run_dir/checkpoints/step_%08d/: saving it crash-safely and loading it verified.
//
// Layout: model.safetensors, optimizer.safetensors, trainer_state.json, config.toml, the tokenizer files, and
// manifest.json (name, size, sha256 of each), written last: a directory is a checkpoint once that verifies.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "checkpoint/safetensors_writer.h"

namespace ropelm {

// What the trainer puts in a checkpoint; the container does not interpret any of it.
struct CheckpointContents {
  NamedTensors model;      // -> model.safetensors (metadata format=pt, as Hugging Face loaders expect)
  NamedTensors optimizer;  // -> optimizer.safetensors, e.g. "<param name>.exp_avg", "<param name>.exp_avg_sq"
  nlohmann::json trainer_state;                        // -> trainer_state.json
  std::string config_toml;                             // -> config.toml (the resolved config)
  std::vector<std::filesystem::path> tokenizer_files;  // copied under their own file names
};

struct VerifiedCheckpoint {
  std::filesystem::path dir;
  int64_t step = 0;
  // Tensors come back in file order (see save_safetensors), so look them up by name; tokenizer_files point
  // into dir.
  CheckpointContents contents;
};

// run_dir/checkpoints/step_%08d.
std::filesystem::path checkpoint_dir_for(const std::filesystem::path& run_dir, int64_t step);

// Writes a complete checkpoint into a temporary sibling directory, fsyncs it, then renames it into place;
// an existing checkpoint of the same step is replaced only after the new one is complete. On failure throws
// UserError, removes the temporary directory and leaves every earlier checkpoint untouched. Returns the dir.
std::filesystem::path save_checkpoint(const std::filesystem::path& run_dir, int64_t step,
                                      const CheckpointContents& contents);

// Verifies the manifest (sizes and sha256) and loads everything; throws UserError naming the bad file.
VerifiedCheckpoint load_checkpoint(const std::filesystem::path& dir);

}  // namespace ropelm
