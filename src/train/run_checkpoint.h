// Glue between a training run and checkpoint directories: what goes in, and how a model comes back out.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <memory>

#include "checkpoint/checkpoint_dir.h"
#include "config/config.h"
#include "model/transformer.h"
#include "tokenizer/tokenizer.h"
#include "train/adamw.h"
#include "train/training_state.h"

namespace ropelm {

// The tokenizer's own files (vocab, merges, model), copied into every checkpoint.
std::vector<std::filesystem::path> tokenizer_files(const TokenizerConfig& tokenizer);

// Builds the model a config describes, initialised from train.seed.
Transformer build_model(const Config& config, int64_t vocab_size);

// Writes run_dir/checkpoints/step_N (atomically) and prunes old ones (keep_last + best).
std::filesystem::path save_run_checkpoint(const std::filesystem::path& run_dir, const Config& config,
                                          Transformer& model, const AdamW& optimizer,
                                          const TrainingState& state);

// Copies the checkpoint's weights into the model; throws UserError when names or shapes differ.
void load_model_weights(Transformer& model, const CheckpointContents& contents,
                        const std::filesystem::path& dir);

// A checkpoint opened for eval / generate / info: its config (tokenizer paths pointing into the checkpoint),
// tokenizer, model (on `device`, eval mode) and state.
struct LoadedCheckpoint {
  std::filesystem::path dir;
  Config config;
  std::unique_ptr<Tokenizer> tokenizer;
  Transformer model{nullptr};
  TrainingState state;
};
LoadedCheckpoint open_checkpoint(const std::filesystem::path& dir, torch::Device device);

}  // namespace ropelm
