// AdamW (Loshchilov & Hutter 2019) over named parameter groups, with its state addressable by parameter name.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace ropelm {

struct NamedParameter {
  std::string name;
  torch::Tensor tensor;
  bool decay;  // weight decay applies (weight matrices) or not (norms, biases, embeddings unless configured)
};

// Splits a model's parameters into decay / no-decay by shape and name (GPT-2/nanoGPT's rule: tensors of rank
// ≥ 2 decay, except embeddings unless optim.decay_embeddings).
std::vector<NamedParameter> group_parameters(const torch::OrderedDict<std::string, torch::Tensor>& parameters,
                                             const OptimConfig& optim);

// Our own AdamW rather than torch::optim::AdamW: the state is keyed by parameter name (checkpoints survive
// any reordering), the step count is ours (docs/libtorch-notes.md#optimizer-state), and the learning rate is
// passed each step. weight_decay 0 makes it exactly Adam.
class AdamW {
 public:
  AdamW(std::vector<NamedParameter> parameters, const OptimConfig& optim);

  void step(double lr);
  void zero_grad();
  int64_t steps_taken() const { return steps_; }
  const std::vector<NamedParameter>& parameters() const { return parameters_; }

  // State as named tensors ("<param>.exp_avg", "<param>.exp_avg_sq") plus the step count, for checkpoints.
  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  // Restores what state() returned; throws UserError when a tensor is missing or has the wrong shape. An
  // empty state with no steps taken (a checkpoint of a run that never stepped, such as an import) leaves the
  // zero moments of a fresh optimizer.
  void load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state, int64_t steps_taken);

 private:
  std::vector<NamedParameter> parameters_;
  std::vector<torch::Tensor> exp_avg_, exp_avg_sq_;
  double beta1_, beta2_, eps_, weight_decay_;
  int64_t steps_ = 0;
};

}  // namespace ropelm
