// AdamW update rule, the same arithmetic as torch.optim.AdamW (foreach=False).
#include "train/adamw.h"

#include <cmath>
#include <map>

#include "util/error.h"

namespace ropelm {

std::vector<NamedParameter> group_parameters(const torch::OrderedDict<std::string, torch::Tensor>& parameters,
                                             const OptimConfig& optim) {
  std::vector<NamedParameter> grouped;
  for (const auto& item : parameters) {
    bool embedding = item.key().find("embedding") != std::string::npos;
    bool decay = item.value().dim() >= 2 && (!embedding || optim.decay_embeddings);
    grouped.push_back({item.key(), item.value(), decay});
  }
  return grouped;
}

AdamW::AdamW(std::vector<NamedParameter> parameters, const OptimConfig& optim)
    : parameters_(std::move(parameters)),
      beta1_(optim.beta1),
      beta2_(optim.beta2),
      eps_(optim.eps),
      weight_decay_(optim.weight_decay) {
  for (const auto& p : parameters_) {
    exp_avg_.push_back(torch::zeros_like(p.tensor, torch::MemoryFormat::Preserve));
    exp_avg_sq_.push_back(torch::zeros_like(p.tensor, torch::MemoryFormat::Preserve));
  }
}

void AdamW::step(double lr) {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double bias_correction1 = 1.0 - std::pow(beta1_, static_cast<double>(steps_));
  const double bias_correction2 = 1.0 - std::pow(beta2_, static_cast<double>(steps_));
  const double step_size = lr / bias_correction1;
  const double sqrt_bias_correction2 = std::sqrt(bias_correction2);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    torch::Tensor& param = parameters_[i].tensor;
    const torch::Tensor& grad = param.grad();
    if (!grad.defined()) continue;
    if (parameters_[i].decay && weight_decay_ != 0) param.mul_(1.0 - lr * weight_decay_);
    exp_avg_[i].lerp_(grad, 1.0 - beta1_);
    exp_avg_sq_[i].mul_(beta2_).addcmul_(grad, grad, 1.0 - beta2_);
    torch::Tensor denom = (exp_avg_sq_[i].sqrt() / sqrt_bias_correction2).add_(eps_);
    param.addcdiv_(exp_avg_[i], denom, -step_size);
  }
}

void AdamW::zero_grad() {
  // Zero in place rather than freeing: re-faulting fresh gradient pages each step is slow
  // (docs/libtorch-notes.md#fresh-pages).
  for (auto& p : parameters_) {
    if (p.tensor.grad().defined()) p.tensor.mutable_grad().zero_();
  }
}

std::vector<std::pair<std::string, torch::Tensor>> AdamW::state() const {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    named.emplace_back(parameters_[i].name + ".exp_avg", exp_avg_[i]);
    named.emplace_back(parameters_[i].name + ".exp_avg_sq", exp_avg_sq_[i]);
  }
  return named;
}

void AdamW::load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state, int64_t steps_taken) {
  if (state.empty() && steps_taken == 0) return;  // a run that never stepped (an import) keeps zero moments
  std::map<std::string, torch::Tensor> by_name(state.begin(), state.end());
  auto restore = [&](torch::Tensor& into, const std::string& name) {
    auto found = by_name.find(name);
    if (found == by_name.end()) throw UserError("optimizer state has no tensor '" + name + "'");
    if (found->second.sizes() != into.sizes()) {
      throw UserError("optimizer state tensor '" + name + "' has the wrong shape for this model");
    }
    torch::NoGradGuard no_grad;
    into.copy_(found->second);
  };
  for (size_t i = 0; i < parameters_.size(); ++i) {
    restore(exp_avg_[i], parameters_[i].name + ".exp_avg");
    restore(exp_avg_sq_[i], parameters_[i].name + ".exp_avg_sq");
  }
  steps_ = steps_taken;
}

}  // namespace ropelm
