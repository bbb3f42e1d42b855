// Window planning and batched scoring for strided perplexity.
#include "eval/perplexity.h"

#include <algorithm>

#include "model/autocast_guard.h"
#include "model/lm_loss.h"
#include "util/error.h"

namespace ropelm {

void PerplexityOptions::validate() const {
  if (context_length < 1) throw UserError("eval.context_length must be at least 1");
  if (stride < 1 || stride > context_length) {
    throw UserError("eval.stride = " + std::to_string(stride) +
                    " must be between 1 and the context length (" + std::to_string(context_length) +
                    "), or some tokens would never be scored");
  }
  if (batch_size < 1) throw UserError("eval.batch_size must be at least 1");
}

std::vector<EvalWindow> eval_windows(int64_t num_tokens, int64_t context_length, int64_t stride) {
  std::vector<EvalWindow> windows;
  int64_t scored_until = 0;  // every position < scored_until + 1 is scored (position 0 never is)
  for (int64_t begin = 0; scored_until < num_tokens - 1; begin += stride) {
    int64_t length = std::min(context_length, num_tokens - 1 - begin);
    windows.push_back({begin, length, scored_until + 1});
    scored_until = begin + length;
  }
  return windows;
}

namespace {

// Inputs and targets of same-length windows; targets already scored by an earlier window are ignored (-100).
std::pair<torch::Tensor, torch::Tensor> window_batch(const TokenView& tokens,
                                                     const std::vector<EvalWindow>& batch) {
  const int64_t B = static_cast<int64_t>(batch.size()), T = batch.front().length;
  torch::Tensor inputs = torch::empty({B, T}, torch::kLong);
  torch::Tensor targets = torch::empty({B, T}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const EvalWindow& w = batch[b];
    tokens.copy_to(w.begin, T, inputs[b].data_ptr<int64_t>());
    int64_t* target = targets[b].data_ptr<int64_t>();
    tokens.copy_to(w.begin + 1, T, target);
    for (int64_t t = 0; t < T && w.begin + 1 + t < w.first_scored; ++t) target[t] = -100;
  }
  return {inputs, targets};
}

}  // namespace

NllSum score_tokens(Transformer& model, const TokenView& tokens, const PerplexityOptions& options,
                    torch::Device device) {
  options.validate();
  std::vector<EvalWindow> all = eval_windows(tokens.size(), options.context_length, options.stride);
  if (options.max_windows > 0 && static_cast<int64_t>(all.size()) > options.max_windows) {
    all.resize(options.max_windows);
  }
  std::vector<EvalWindow> mine;
  for (size_t i = options.rank; i < all.size(); i += options.world_size) mine.push_back(all[i]);

  torch::NoGradGuard no_grad;
  AutocastGuard autocast(device, options.bf16);  // one guard: each weight is cast to bf16 once
  const bool was_training = model->is_training();
  model->eval();
  torch::Tensor nll = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  torch::Tensor count = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
  for (size_t start = 0; start < mine.size();) {
    // A batch holds windows of one length: all but the final, shorter window share the context length.
    size_t end = start;
    while (end < mine.size() && end - start < static_cast<size_t>(options.batch_size) &&
           mine[end].length == mine[start].length) {
      ++end;
    }
    auto [inputs, targets] = window_batch(tokens, {mine.begin() + start, mine.begin() + end});
    TokenNll loss = token_nll(model->forward(inputs.to(device)), targets.to(device));
    nll += loss.sum.to(torch::kDouble);
    count += loss.count;
    start = end;
  }
  model->train(was_training);
  return {nll.item<double>(), count.item<int64_t>()};
}

}  // namespace ropelm
