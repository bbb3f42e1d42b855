// Resolving the `model` config section into TransformerOptions, and the checks that name the key at fault.
#include "model/model_options.h"

#include <sstream>
#include <string>

#include "util/error.h"
#include "util/libtorch_features.h"

namespace ropelm {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw UserError(message);
}

// "model.key = value", integers printed exactly.
template <typename T>
std::string show(const std::string& key, T value) {
  std::ostringstream out;
  out << "model." << key << " = " << value;
  return out.str();
}

}  // namespace

bool uses_sdpa(AttentionKind kind) {
  return kind == AttentionKind::kSdpa || (kind == AttentionKind::kAuto && kHasSdpa);
}

void validate(const TransformerOptions& o) {
  require(o.vocab_size() > 0,
          "the tokenizer's vocabulary size must be positive (got " + std::to_string(o.vocab_size()) + ")");
  require(o.pad_vocab_multiple() >= 1, show("pad_vocab_multiple", o.pad_vocab_multiple()) + " must be >= 1");
  require(o.d_model() > 0, show("d_model", o.d_model()) + " must be positive");
  require(o.n_layers() > 0, show("n_layers", o.n_layers()) + " must be positive");
  require(o.n_heads() > 0, show("n_heads", o.n_heads()) + " must be positive");
  require(o.d_model() % o.n_heads() == 0,
          show("n_heads", o.n_heads()) + " does not divide " + show("d_model", o.d_model()));
  require(o.n_kv_heads() >= 0, show("n_kv_heads", o.n_kv_heads()) + " must be >= 0 (0: n_heads)");
  require(o.n_heads() % o.kv_heads() == 0,
          show("n_kv_heads", o.kv_heads()) + " does not divide " + show("n_heads", o.n_heads()));
  require(o.mlp_hidden() >= 0, show("mlp_hidden", o.mlp_hidden()) + " must be >= 0 (0: default)");
  require(o.norm_eps() > 0, show("norm_eps", o.norm_eps()) + " must be positive");
  require(o.dropout() >= 0 && o.dropout() < 1, show("dropout", o.dropout()) + " must be in [0, 1)");
  require(o.init_std() > 0, show("init_std", o.init_std()) + " must be positive");
  require(o.max_seq_len() > 0, show("max_seq_len", o.max_seq_len()) + " must be positive");
  if (o.position() == PositionKind::kRope) {
    // RoPE rotates pairs of dimensions, and NTK scaling divides by head_dim - 2.
    require(o.head_dim() % 2 == 0 && o.head_dim() >= 4,
            "model.position = rope needs an even head size >= 4 (model.d_model / model.n_heads = " +
                std::to_string(o.head_dim()) + ")");
    require(o.rope_theta() > 0, show("rope_theta", o.rope_theta()) + " must be positive");
    require(o.rope_scaling_factor() >= 1,
            show("rope_scaling_factor", o.rope_scaling_factor()) + " must be >= 1");
    if (o.rope_scaling() == RopeScaling::kYarn) {
      require(o.original_context() > 0, "model.rope_scaling = yarn needs the training context length (got " +
                                            std::to_string(o.original_context()) + ")");
      require(o.yarn_alpha() > 0 && o.yarn_alpha() < o.yarn_beta(), show("yarn_alpha", o.yarn_alpha()) +
                                                                        " must be positive and below " +
                                                                        show("yarn_beta", o.yarn_beta()));
    }
  }
  if (o.position() == PositionKind::kSinusoidal) {
    require(o.d_model() % 2 == 0,
            "model.position = sinusoidal needs an even " + show("d_model", o.d_model()));
  }
  require(o.attention() != AttentionKind::kSdpa || kHasSdpa,
          std::string("model.attention = sdpa needs LibTorch >= 2.0 (this build has ") + TORCH_VERSION +
              "); use auto or explicit");
}

TransformerOptions from_config(const ModelConfig& c, int64_t vocab_size, int64_t context_length) {
  TransformerOptions options(vocab_size, c.d_model, c.n_layers, c.n_heads);
  options.pad_vocab_multiple(c.pad_vocab_multiple)
      .n_kv_heads(c.n_kv_heads)
      .mlp(c.mlp)
      .mlp_hidden(c.mlp_hidden)
      .norm(c.norm)
      .norm_eps(c.norm_eps)
      .dropout(c.dropout)
      .bias(c.bias)
      .tie_embeddings(c.tie_embeddings)
      .init_std(c.init_std)
      .position(c.position)
      .max_seq_len(c.max_seq_len > 0 ? c.max_seq_len : context_length)
      .rope_theta(c.rope_theta)
      .rope_style(c.rope_style)
      .rope_scaling(c.rope_scaling)
      .rope_scaling_factor(c.rope_scaling_factor)
      .original_context(context_length)
      .yarn_alpha(c.yarn_alpha)
      .yarn_beta(c.yarn_beta)
      .attention(c.attention);
  validate(options);
  return options;
}

}  // namespace ropelm
