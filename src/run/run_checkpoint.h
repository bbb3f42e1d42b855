// Glue between a training run and checkpoint directories: what goes in, and how a model comes back out.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint/checkpoint_dir.h"
#include "config/config.h"
#include "model/transformer.h"
#include "run/training_state.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

// The tokenizer's own files (vocab, merges, model), copied into every checkpoint; none for bytes.
std::vector<std::filesystem::path> tokenizer_files(const TokenizerConfig& tokenizer);

// Builds the model a config describes, initialised from LibTorch's default generator (seed it first).
Transformer build_model(const Config& config, int64_t vocab_size);

// Named tensors of an optimizer's state ("<param>.exp_avg", ...): empty for a run that has not stepped.
using OptimizerState = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes run_dir/checkpoints/step_N (atomically) and prunes old ones (keep_last + best).
std::filesystem::path save_run_checkpoint(const std::filesystem::path& run_dir, const Config& config,
                                          Transformer& model, const OptimizerState& optimizer,
                                          const TrainingState& state);

// The first weight whose name, shape or dtype differs between the checkpoint and the model, described;
// nullopt when every weight fits. Such a change is never forceable on resume: the weights cannot be carried
// over.
std::optional<std::string> weight_mismatch(Transformer& model, const CheckpointContents& contents);

// Copies the checkpoint's weights into the model; throws UserError when names, shapes or dtypes differ.
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
