// Autoregressive sampling.
#include "eval/generate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "model/kv_cache.h"
#include "util/error.h"

namespace ropelm {

std::vector<TokenId> unsampled_ids(const Tokenizer& tokenizer) {
  static const std::set<std::string> kStructural = {"[PAD]", "[UNK]", "[CLS]", "[MASK]",
                                                    "<pad>", "<unk>", "<s>",   "<mask>"};
  std::set<TokenId> ids;
  if (auto unk = tokenizer.unk_id()) ids.insert(*unk);
  if (auto cls = tokenizer.cls_id()) ids.insert(*cls);
  for (TokenId id = 0; id < tokenizer.vocab_size(); ++id) {
    if (kStructural.count(tokenizer.token(id))) ids.insert(id);
  }
  ids.erase(tokenizer.end_of_document_id());
  return {ids.begin(), ids.end()};
}

int64_t generation_limit(int64_t context_length, int64_t max_seq_len) {
  return std::max(context_length, max_seq_len);
}

int64_t fitting_new_tokens(int64_t max_new_tokens, int64_t prompt_tokens, int64_t limit) {
  if (prompt_tokens >= limit) {
    throw UserError("the prompt has " + std::to_string(prompt_tokens) +
                    " tokens but the model's maximum length is " + std::to_string(limit) +
                    " (the context it was trained on): shorten --prompt");
  }
  if (prompt_tokens + max_new_tokens <= limit) return max_new_tokens;
  spdlog::warn(
      "--max-new-tokens {}: the model's maximum length is {} tokens (the context it was trained on), so "
      "at most {} follow this {}-token prompt",
      max_new_tokens, limit, limit - prompt_tokens, prompt_tokens);
  return limit - prompt_tokens;
}

void SamplingOptions::validate() const {
  if (max_new_tokens < 0) throw UserError("--max-new-tokens must be at least 0");
  if (temperature < 0) throw UserError("--temperature must be at least 0 (0 = greedy)");
  if (top_k < 0) throw UserError("--top-k must be at least 0 (0 = off)");
  if (!(top_p > 0 && top_p <= 1)) throw UserError("--top-p must be in (0, 1]");
}

TokenId sample_token(const torch::Tensor& logits, const SamplingOptions& options, at::Generator& generator) {
  torch::Tensor scores = logits.to(torch::kFloat).cpu();
  if (!options.never_sample.empty()) {
    torch::Tensor banned = torch::tensor(options.never_sample, torch::kLong);
    scores = scores.index_fill(0, banned, -std::numeric_limits<float>::infinity());  // a copy: logits stay
  }
  if (options.temperature == 0) return static_cast<TokenId>(scores.argmax().item<int64_t>());
  scores = scores / options.temperature;
  if (options.top_k > 0 && options.top_k < scores.size(0)) {
    torch::Tensor kth = std::get<0>(scores.topk(options.top_k)).min();
    scores = scores.masked_fill(scores < kth, -std::numeric_limits<float>::infinity());
  }
  torch::Tensor probs = scores.softmax(0);
  if (options.top_p < 1.0) {
    // Keep the smallest set of most likely tokens whose mass reaches top_p (Holtzman et al. 2020).
    auto [sorted, order] = probs.sort(0, /*descending=*/true);
    torch::Tensor mass_before = sorted.cumsum(0) - sorted;
    sorted.masked_fill_(mass_before >= options.top_p, 0);
    probs = torch::zeros_like(probs).scatter_(0, order, sorted);
  }
  return static_cast<TokenId>(torch::multinomial(probs, 1, false, generator).item<int64_t>());
}

std::vector<TokenId> generate(Transformer& model, const std::vector<TokenId>& prompt,
                              const SamplingOptions& options, std::optional<TokenId> stop_id,
                              torch::Device device, const std::function<void(TokenId)>& on_token) {
  options.validate();
  if (prompt.empty()) throw UserError("--prompt encodes to no tokens: give some text");
  torch::NoGradGuard no_grad;
  model->eval();
  at::Generator generator = at::detail::createCPUGenerator(options.seed);
  const int64_t limit =
      std::min<int64_t>(model->max_positions(), static_cast<int64_t>(prompt.size()) + options.max_new_tokens);
  if (static_cast<int64_t>(prompt.size()) > limit) {
    throw UserError("the prompt has " + std::to_string(prompt.size()) +
                    " tokens but the model takes at most " + std::to_string(limit));
  }
  KVCache cache(limit);
  std::vector<int64_t> ids(prompt.begin(), prompt.end());
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(device);
  torch::Tensor logits = model->forward(torch::tensor(ids, torch::kLong).unsqueeze(0).to(device), &cache);
  std::vector<TokenId> generated;
  while (static_cast<int64_t>(generated.size()) < options.max_new_tokens) {
    TokenId next = sample_token(logits[0][-1], options, generator);  // logits (1, T, V)
    generated.push_back(next);
    on_token(next);
    if ((stop_id && next == *stop_id) || cache.length() >= limit) break;
    logits = model->forward(torch::full({1, 1}, static_cast<int64_t>(next), long_options), &cache);
  }
  return generated;
}

}  // namespace ropelm
