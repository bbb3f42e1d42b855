// One optimizer step: forward/backward over the micro-batches, loss per target token, clip, update.
#pragma once

#include <torch/torch.h>

#include "distributed/gradient_bucketer.h"
#include "distributed/process_group.h"
#include "model/transformer.h"
#include "train/adamw.h"
#include "train/step_batches.h"

namespace ropelm {

struct StepResult {
  torch::Tensor loss;       // 0-dim: mean NLL per target token over the whole step and all ranks
  torch::Tensor grad_norm;  // 0-dim: global gradient norm before clipping
  int64_t tokens = 0;       // target tokens of the step on this rank
  bool applied = true;      // false when the loss or the gradient was not finite and the update was skipped
};

struct StepSettings {
  double lr = 0;
  double grad_clip = 0;       // 0: no clipping
  int64_t global_tokens = 0;  // target tokens of the step over all ranks: each micro-batch's summed NLL is
                              // divided by it, so the step's gradient is the per-token mean however the
                              // windows are split into micro-batches or ranks
  bool bf16 = false;          // mixed precision: autocast's bf16 matrix products, fp32 master weights
};

// Data-parallel context of a step: gradients are summed over ranks by the bucketer during the last backward,
// and the logged loss over ranks by the group. Both null in a single process.
struct StepComms {
  Distributed* group = nullptr;
  GradientBucketer* bucketer = nullptr;
};

// Runs the step. Every rank reaches the same decision to apply or skip: it rests on the global loss and norm.
StepResult train_step(Transformer& model, AdamW& optimizer, const StepBatches& batches, torch::Device device,
                      const StepSettings& settings, const StepComms& comms = {});

// Scales gradients so their global norm is at most max_norm (as torch.nn.utils.clip_grad_norm_); returns the
// norm before clipping, without synchronising the device.
torch::Tensor clip_grad_norm(const std::vector<NamedParameter>& parameters, double max_norm);

}  // namespace ropelm
