// What besides weights and optimizer moments a resumed run needs to continue bit for bit: trainer_state.json.
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "data/loader_cursor.h"

namespace ropelm {

struct TrainingState {
  int64_t step = 0;         // optimizer steps done
  int64_t updates = 0;      // steps whose update was applied (non-finite ones are skipped): Adam's t
  int64_t tokens_seen = 0;  // target tokens trained on, all ranks
  double elapsed_s = 0;     // training time over all sessions of the run
  std::optional<double> best_val_loss;
  std::optional<int64_t> best_step;
  int64_t train_tokens = 0;  // size of the train split: a different corpus cannot resume exactly
  // The train (and validation) token caches' checksums: a corpus edited in place, or tokenised otherwise,
  // cannot resume exactly either ("" in checkpoints written before it was recorded).
  std::string corpus_checksum;
  std::optional<double> val_loss;  // measured at this step (a validation step), else none
  int64_t world_size = 1;
  // The precision train.precision resolved to ("fp32" or "bf16"; "" in checkpoints written before it was
  // recorded): a resumed run in another precision is not exact, and eval and generate default to it.
  std::string precision;
  LoaderCursor cursor;
  std::string cpu_rng;   // hex of the default CPU generator's state (dropout)
  std::string cuda_rng;  // hex of the default CUDA generator's state, when CUDA is in use
};

nlohmann::json to_json(const TrainingState& state);
// Throws UserError naming the field when trainer_state.json lacks or mistypes one.
TrainingState training_state_from_json(const nlohmann::json& json);

// Captures / restores the random generators of this process (CPU, and `device`'s if it is CUDA).
void capture_rng(TrainingState& state, torch::Device device);
void restore_rng(const TrainingState& state, torch::Device device);

}  // namespace ropelm
