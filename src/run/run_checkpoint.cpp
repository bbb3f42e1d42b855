// Saving and reopening training checkpoints.
#include "run/run_checkpoint.h"

#include <spdlog/spdlog.h>

#include <map>

#include "checkpoint/checkpoint_retention.h"
#include "config/load.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;

std::vector<fs::path> tokenizer_files(const TokenizerConfig& tokenizer) {
  if (tokenizer.type == TokenizerKind::kBytes) return {};  // reads no file (tokenizer.vocab is unused)
  std::vector<fs::path> files = {tokenizer.vocab};
  if (!tokenizer.merges.empty()) files.emplace_back(tokenizer.merges);
  return files;
}

Transformer build_model(const Config& config, int64_t vocab_size) {
  return Transformer(from_config(config.model, vocab_size, config.data.context_length));
}

fs::path save_run_checkpoint(const fs::path& run_dir, const Config& config, Transformer& model,
                             const OptimizerState& optimizer, const TrainingState& state) {
  CheckpointContents contents;
  for (const auto& item : model->named_parameters())
    contents.model.emplace_back(item.key(), item.value().detach().cpu());
  for (const auto& [name, tensor] : optimizer) contents.optimizer.emplace_back(name, tensor.cpu());
  contents.trainer_state = to_json(state);
  contents.config_toml = to_toml(config);
  contents.tokenizer_files = tokenizer_files(config.tokenizer);
  fs::path dir = save_checkpoint(run_dir, state.step, contents);
  prune_checkpoints(run_dir, config.checkpoint.keep_last, state.best_step);
  return dir;
}

std::optional<std::string> weight_mismatch(Transformer& model, const CheckpointContents& contents) {
  std::map<std::string, torch::Tensor> saved(contents.model.begin(), contents.model.end());
  for (const auto& item : model->named_parameters()) {
    auto found = saved.find(item.key());
    if (found == saved.end()) return "the checkpoint has no weight '" + item.key() + "'";
    if (found->second.sizes() != item.value().sizes()) {
      return "weight '" + item.key() + "' has shape " + c10::str(found->second.sizes()) +
             " in the checkpoint but " + c10::str(item.value().sizes()) + " in this model";
    }
    if (found->second.scalar_type() != item.value().scalar_type()) {
      return "weight '" + item.key() + "' is " + std::string(c10::toString(found->second.scalar_type())) +
             " in the checkpoint but " + c10::toString(item.value().scalar_type()) + " in this model";
    }
    saved.erase(found);
  }
  if (!saved.empty())
    return "the checkpoint has weight '" + saved.begin()->first + "' that this model does not";
  return std::nullopt;
}

void load_model_weights(Transformer& model, const CheckpointContents& contents, const fs::path& dir) {
  // Names, shapes and dtypes first: copy_ would silently convert another dtype (an I32 tensor with a
  // consistent manifest is not this model's weight).
  if (auto mismatch = weight_mismatch(model, contents)) {
    throw UserError("checkpoint " + dir.string() + ": " + *mismatch +
                    ": it is not a checkpoint of this model (compare its config.toml)");
  }
  std::map<std::string, torch::Tensor> saved(contents.model.begin(), contents.model.end());
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) item.value().copy_(saved.at(item.key()));
}

LoadedCheckpoint open_checkpoint(const fs::path& dir, torch::Device device) {
  if (!fs::is_directory(dir))
    throw UserError("checkpoint " + dir.string() + " does not exist or is not a directory");
  VerifiedCheckpoint verified = load_checkpoint(dir);
  LoadedCheckpoint loaded;
  loaded.dir = dir;
  loaded.config = parse_config_text(verified.contents.config_toml, (dir / "config.toml").string());
  // The tokenizer files travel inside the checkpoint: read those, not the paths of the original run.
  loaded.config.tokenizer.vocab = (dir / fs::path(loaded.config.tokenizer.vocab).filename()).string();
  if (!loaded.config.tokenizer.merges.empty()) {
    loaded.config.tokenizer.merges = (dir / fs::path(loaded.config.tokenizer.merges).filename()).string();
  }
  loaded.tokenizer = make_tokenizer(loaded.config.tokenizer);
  loaded.model = build_model(loaded.config, loaded.tokenizer->vocab_size());
  load_model_weights(loaded.model, verified.contents, dir);
  loaded.model->to(device);
  loaded.model->eval();
  loaded.state = training_state_from_json(verified.contents.trainer_state);
  return loaded;
}

}  // namespace ropelm
