// The decoder-only language model in architecture order: construction, initialisation, forward.
#include "model/transformer.h"

#include <cmath>
#include <limits>
#include <string>

#include "util/error.h"

namespace ropelm {
namespace {

RotaryOptions rotary_options(const TransformerOptions& o) {
  return RotaryOptions(o.head_dim())
      .theta(o.rope_theta())
      .scaling(o.rope_scaling())
      .factor(o.rope_scaling_factor())
      .original_context(o.original_context())
      .yarn_alpha(o.yarn_alpha())
      .yarn_beta(o.yarn_beta());
}

}  // namespace

TransformerImpl::TransformerImpl(TransformerOptions options) : options_(options) {
  validate(options_);
  const int64_t d = options_.d_model();
  tok_embeddings = register_module("tok_embeddings", torch::nn::Embedding(options_.padded_vocab_size(), d));
  if (options_.position() == PositionKind::kLearned) {
    pos_embeddings = register_module("pos_embeddings", torch::nn::Embedding(options_.max_seq_len(), d));
  }
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < options_.n_layers(); ++i) blocks->push_back(Block(options_, i));
  norm = register_module("norm", Norm(norm_options(options_)));
  // Tying shares the weight functionally (forward multiplies by tok_embeddings->weight), so parameters()
  // lists it once (docs/libtorch-notes.md#weight-tying).
  if (!options_.tie_embeddings()) {
    lm_head = register_module(
        "lm_head", torch::nn::Linear(torch::nn::LinearOptions(d, options_.padded_vocab_size()).bias(false)));
  }
  if (options_.position() == PositionKind::kRope) rotary_.emplace(rotary_options(options_));
  if (options_.position() == PositionKind::kSinusoidal) sinusoidal_.emplace(d);
  if (options_.position() == PositionKind::kAlibi) alibi_.emplace(options_.n_heads());
  init_weights();
}

void TransformerImpl::set_rope_scaling(RopeScaling scaling, double factor) {
  if (options_.position() != PositionKind::kRope) {
    throw UserError("RoPE scaling needs model.position = rope: this model has no RoPE tables to rescale");
  }
  TransformerOptions changed = options_;
  changed.rope_scaling(scaling).rope_scaling_factor(factor);
  validate(changed);
  options_ = changed;
  rotary_.emplace(rotary_options(options_));
}

// GPT-2 initialisation (Radford et al. 2019, section 2.3; nanoGPT): N(0, init_std) for every linear and
// embedding weight, zero biases, and init_std / √(2 n_layers) for the projections that write into the
// residual stream (attn.out, mlp.down), since each block adds two of them. Norms start at weight 1, bias 0.
void TransformerImpl::init_weights() {
  torch::NoGradGuard no_grad;
  const double std = options_.init_std();
  const double residual_std = std / std::sqrt(2.0 * static_cast<double>(options_.n_layers()));
  for (const auto& item : named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    const std::string& name = item.key();
    if (auto* linear = item.value()->as<torch::nn::Linear>()) {
      const bool residual = name.ends_with("attn.out") || name.ends_with("mlp.down");
      linear->weight.normal_(0.0, residual ? residual_std : std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = item.value()->as<torch::nn::Embedding>()) {
      embedding->weight.normal_(0.0, std);
    }
  }
}

const torch::Tensor& TransformerImpl::head_weight() const {
  return options_.tie_embeddings() ? tok_embeddings->weight : lm_head->weight;
}

int64_t TransformerImpl::max_positions() const {
  if (options_.position() == PositionKind::kLearned) return options_.max_seq_len();
  return std::numeric_limits<int64_t>::max();
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& input_ids, KVCache* cache) {
  TORCH_CHECK(input_ids.dim() == 2 && input_ids.scalar_type() == torch::kLong,
              "Transformer::forward expects (B, T) int64 token ids");
  const int64_t T = input_ids.size(1);
  const int64_t offset = cache != nullptr ? cache->length() : 0;
  if (offset + T > max_positions()) {
    throw UserError(
        "model.position = learned has a table of model.max_seq_len = " + std::to_string(max_positions()) +
        " positions, but this input reaches position " + std::to_string(offset + T) +
        " (use rope, alibi or sinusoidal to go past the training length)");
  }
  if (cache != nullptr) cache->check_room(T);

  auto x = embed(input_ids, offset);  // (B, T, C)
  const auto context = attention_context(offset, T, x.device(), cache);
  for (const auto& block : *blocks) x = block->as<BlockImpl>()->forward(x, context);
  x = norm(x);
  if (cache != nullptr) cache->advance(T);
  // Only the real-vocabulary rows: a contiguous view, no copy and no -inf fill for the padded rows.
  return torch::linear(x, head_weight().narrow(0, 0, options_.vocab_size()));  // (B, T, V)
}

// Token embeddings plus the additive position encoding, if any (RoPE and ALiBi act inside attention instead).
torch::Tensor TransformerImpl::embed(const torch::Tensor& input_ids, int64_t offset) {
  const int64_t T = input_ids.size(1);
  auto x = tok_embeddings(input_ids);  // (B, T, C)
  if (pos_embeddings) {
    x = x +
        pos_embeddings(torch::arange(offset, offset + T, input_ids.options()));  // (T, C) broadcast over B
  } else if (sinusoidal_) {
    x = x + sinusoidal_->encodings(offset, T, x.device()).to(x.scalar_type());  // (T, C)
  }
  if (is_training() && options_.dropout() > 0) x = torch::dropout(x, options_.dropout(), /*train=*/true);
  return x;
}

AttentionContext TransformerImpl::attention_context(int64_t offset, int64_t T, torch::Device device,
                                                    KVCache* cache) const {
  AttentionContext context;
  context.offset = offset;
  context.cache = cache;
  if (rotary_) std::tie(context.cos, context.sin) = rotary_->cos_sin(offset, T, device);
  if (alibi_) {
    context.bias = alibi_->bias(offset, T, device);  // (nh, T, L), causal by itself
    return context;
  }
  // SDPA masks a sequence that starts at position 0 itself (is_causal); every other case needs the mask.
  if (T > 1 && (offset > 0 || !uses_sdpa(options_.attention()))) {
    // Query i sits at position offset + i and may see keys 0 .. offset + i.
    auto bool_options = torch::TensorOptions().dtype(torch::kBool).device(device);
    context.blocked = torch::ones({T, offset + T}, bool_options).triu(offset + 1);  // (T, L)
  }
  return context;
}

}  // namespace ropelm
