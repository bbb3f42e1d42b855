// Sampling during training with a sliding window of the last context_length tokens, like nanoGPT's generate:
// eval/generate.h extends one KV cache past the training length instead (and eval/ comes after train/).
#include "train/training_samples.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ropelm {
namespace {

// A byte-level model can emit byte sequences that are not UTF-8; JSON needs valid text, so invalid bytes
// become U+FFFD.
std::string valid_utf8(const std::string& text) {
  return nlohmann::json::parse(
             nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}

// Draws from the softmax of the last position's logits (the generate defaults: temperature 1, no top-k/p).
std::vector<TokenId> continue_ids(Transformer& model, std::vector<int64_t> ids, int64_t new_tokens,
                                  int64_t window, torch::Device device, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  std::vector<TokenId> generated;
  for (int64_t i = 0; i < new_tokens; ++i) {
    auto begin = ids.end() - std::min<int64_t>(window, static_cast<int64_t>(ids.size()));
    torch::Tensor input = torch::tensor(std::vector<int64_t>(begin, ids.end()), torch::kLong).unsqueeze(0);
    torch::Tensor logits = model->forward(input.to(device))[0][-1].to(torch::kFloat).cpu();  // (V)
    int64_t next = torch::multinomial(logits.softmax(0), 1, false, generator).item<int64_t>();
    ids.push_back(next);
    generated.push_back(static_cast<TokenId>(next));
  }
  model->train(was_training);
  return generated;
}

}  // namespace

TrainingSampler::TrainingSampler(const Config& config, const Tokenizer& tokenizer,
                                 const std::filesystem::path& path, int64_t resume_step)
    : tokenizer_(tokenizer),
      interval_(config.train.sample_interval),
      new_tokens_(config.train.sample_tokens),
      window_(config.data.context_length),
      seed_(static_cast<uint64_t>(config.train.seed)),
      prompt_(config.train.sample_prompt),
      prompt_ids_(tokenizer.encode(prompt_)),
      log_(path, resume_step) {
  // A prompt that encodes to nothing (WordPiece drops whitespace) starts a new document instead.
  if (prompt_ids_.empty()) prompt_ids_.push_back(tokenizer.end_of_document_id());
}

std::string TrainingSampler::write_sample(Transformer& model, int64_t step, torch::Device device) {
  at::Generator generator = at::detail::createCPUGenerator(seed_);
  std::vector<TokenId> ids = continue_ids(model, std::vector<int64_t>(prompt_ids_.begin(), prompt_ids_.end()),
                                          new_tokens_, window_, device, generator);
  std::string text = valid_utf8(tokenizer_.decode(ids));
  log_.write({{"step", step}, {"prompt", prompt_}, {"text", text}});
  spdlog::info("step {} sample: {}", step, nlohmann::json(prompt_ + text).dump());
  return text;
}

}  // namespace ropelm
