// The training step.
#include "train/train_step.h"

#include "model/autocast_guard.h"
#include "model/lm_loss.h"

namespace ropelm {

torch::Tensor clip_grad_norm(const std::vector<NamedParameter>& parameters, double max_norm) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : parameters) {
    if (p.tensor.grad().defined()) norms.push_back(p.tensor.grad().norm(2).to(torch::kFloat));
  }
  torch::Tensor total = torch::stack(norms).norm(2);
  if (max_norm > 0) {
    // clamp instead of an if: no device synchronisation (the coefficient is 1 when the norm is small enough)
    torch::Tensor coefficient = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (const auto& p : parameters) {
      if (p.tensor.grad().defined()) p.tensor.grad().mul_(coefficient.to(p.tensor.grad().dtype()));
    }
  }
  return total;
}

namespace {

torch::Tensor forward_loss(Transformer& model, const Batch& batch, torch::Device device, bool bf16) {
  torch::Tensor logits;
  {
    AutocastGuard autocast(device, bf16);
    logits = model->forward(batch.inputs.to(device, /*non_blocking=*/true));
  }
  return token_nll(logits, batch.targets.to(device, /*non_blocking=*/true)).sum;
}

}  // namespace

StepResult train_step(Transformer& model, AdamW& optimizer, const StepBatches& batches, torch::Device device,
                      const StepSettings& settings, const StepComms& comms) {
  StepResult result;
  optimizer.zero_grad();
  torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().device(device));
  const double scale = 1.0 / static_cast<double>(settings.global_tokens);
  const size_t count = batches.micro_batches.size();
  for (size_t i = 0; i < count; ++i) {
    const Batch& batch = batches.micro_batches[i];
    if (batch.inputs.size(0) == 0) continue;  // a rank's empty share of a ragged last step
    // Only the last micro-batch communicates (DDP's no_sync for the others).
    if (comms.bucketer) comms.bucketer->set_sync(i + 1 == count);
    torch::Tensor nll = forward_loss(model, batch, device, settings.bf16);
    (nll * scale).backward();
    loss_sum += nll.detach();
    result.tokens += batch.targets.numel();
  }
  if (comms.bucketer) comms.bucketer->finish();
  if (comms.group) comms.group->all_reduce_sum(loss_sum);
  result.loss = loss_sum * scale;
  result.grad_norm = clip_grad_norm(optimizer.parameters(), settings.grad_clip);
  // Skipping a non-finite step needs one host read; the loss read below is the one the log needs anyway.
  result.applied =
      torch::isfinite(result.grad_norm).item<bool>() && torch::isfinite(result.loss).item<bool>();
  if (result.applied) optimizer.step(settings.lr);
  return result;
}

}  // namespace ropelm
