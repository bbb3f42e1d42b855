// Text samples during training: every train.sample_interval steps rank 0 continues train.sample_prompt and
// appends {"step", "prompt", "text"} to run_dir/samples.jsonl, so a run shows what its model writes as it
// learns.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "model/transformer.h"
#include "tokenizer/tokenizer.h"
#include "train/metrics_log.h"

namespace ropelm {

class TrainingSampler {
 public:
  // With resume_step ≥ 0, first drops rows after that step (as metrics.jsonl does).
  TrainingSampler(const Config& config, const Tokenizer& tokenizer, const std::filesystem::path& path,
                  int64_t resume_step);

  bool due(int64_t step) const { return step % interval_ == 0; }

  // Samples train.sample_tokens tokens, writes the row and returns the text. The model is left in the mode it
  // was in, and the training RNG streams are not used: the generator is private and seeded by train.seed, so
  // every sample starts from the same draws (differences are the model's) and losses do not change.
  std::string write_sample(Transformer& model, int64_t step, torch::Device device);

 private:
  const Tokenizer& tokenizer_;
  int64_t interval_;
  int64_t new_tokens_;
  int64_t window_;  // data.context_length: the model has seen no longer inputs
  uint64_t seed_;
  std::string prompt_;
  std::vector<TokenId> prompt_ids_;
  MetricsLog log_;
};

}  // namespace ropelm
