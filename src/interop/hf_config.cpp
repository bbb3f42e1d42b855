// config.json for LlamaForCausalLM (transformers' LlamaConfig) from TransformerOptions, and back.
#include "interop/hf_config.h"

#include <cmath>

#include "util/error.h"

namespace ropelm {
namespace {

void refuse_if(bool condition, const std::string& message) {
  if (condition) throw UserError(message);
}

nlohmann::json optional_id(const std::optional<TokenId>& id) {
  return id ? nlohmann::json(*id) : nlohmann::json();
}

// transformers' LlamaConfig defaults stand for absent fields, as from_pretrained would fill them.
template <typename T>
T field(const nlohmann::json& json, const std::string& key, const std::string& origin,
        std::optional<T> fallback) {
  auto found = json.find(key);
  if (found == json.end() || found->is_null()) {
    if (fallback) return *fallback;
    throw UserError(origin + " has no field '" + key + "'");
  }
  try {
    return found->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw UserError(origin + ": field '" + key + "' has the wrong type (" + found->dump() + ")");
  }
}

void require_field(bool condition, const std::string& origin, const std::string& message) {
  if (!condition) throw UserError(origin + ": " + message + " (ropelm imports plain Llama models only)");
}

// rope_theta and rope_scaling in the layout of transformers 4.x (top level) or 5.x (rope_parameters holds
// both); only the default and linear (position interpolation) types have a ropelm equivalent.
void parse_rope(const nlohmann::json& json, const std::string& origin, ModelConfig& model) {
  nlohmann::json scaling = json.value("rope_parameters", nlohmann::json());
  if (scaling.is_null()) scaling = json.value("rope_scaling", nlohmann::json());
  model.rope_theta = field<double>(json, "rope_theta", origin, 10000.0);
  model.rope_scaling = RopeScaling::kNone;
  model.rope_scaling_factor = 1.0;
  if (scaling.is_null()) return;
  require_field(scaling.is_object(), origin, "rope_scaling is not an object");
  model.rope_theta = field<double>(scaling, "rope_theta", origin, model.rope_theta);
  std::string type = scaling.value("rope_type", scaling.value("type", std::string("default")));
  if (type == "default") return;
  require_field(
      type == "linear", origin,
      "rope_scaling type '" + type + "' has no ropelm equivalent; import supports default and linear");
  model.rope_scaling = RopeScaling::kLinear;
  model.rope_scaling_factor = field<double>(scaling, "factor", origin, std::nullopt);
}

}  // namespace

void check_hf_exportable(const TransformerOptions& o) {
  refuse_if(
      o.position() == PositionKind::kAlibi,
      "model.position = alibi: HF Llama and llama.cpp's llama architecture have no attention biases; export "
      "supports rope only");
  refuse_if(
      o.position() != PositionKind::kRope,
      "model.position is not rope: HF Llama uses rotary position embeddings; export supports rope only");
  // HF's and llama.cpp's yarn differ from ropelm's in details an export would have to prove equal (the
  // original context field, llama.cpp's extrapolation mix): refused rather than written approximately.
  refuse_if(o.rope_scaling() == RopeScaling::kYarn,
            "model.rope_scaling = yarn: export supports rope_scaling none, linear and ntk");
  refuse_if(o.norm() != NormKind::kRMSNorm,
            "model.norm = layernorm: HF Llama uses RMSNorm; export supports rmsnorm only");
  refuse_if(o.mlp() != MlpKind::kSwiGLU,
            "model.mlp = gelu: HF Llama uses a SwiGLU MLP; export supports swiglu only");
  refuse_if(o.bias(),
            "model.bias = true: HF Llama's projections have no biases; export supports bias = false only");
}

nlohmann::json hf_config_json(const TransformerOptions& o, const HfSpecialTokens& tokens,
                              int64_t max_position_embeddings) {
  check_hf_exportable(o);
  double rope_theta = o.rope_theta();
  nlohmann::json rope_scaling;  // null: plain RoPE
  if (o.rope_scaling() == RopeScaling::kLinear) {
    rope_scaling = {{"rope_type", "linear"}, {"factor", o.rope_scaling_factor()}};
  } else if (o.rope_scaling() == RopeScaling::kNTK) {
    // ropelm's NTK-aware scaling is a fixed base change at every length; HF's "dynamic" type changes the base
    // with the sequence length, so it is not the same function. The exact equivalent is plain RoPE with the
    // changed base (rotary_embedding.cpp inverse_frequencies: theta · factor^(d / (d - 2))).
    const double d = static_cast<double>(o.head_dim());
    rope_theta *= std::pow(o.rope_scaling_factor(), d / (d - 2.0));
  }
  return {{"architectures", nlohmann::json::array({"LlamaForCausalLM"})},
          {"model_type", "llama"},
          {"vocab_size", o.vocab_size()},
          {"hidden_size", o.d_model()},
          {"intermediate_size", o.mlp_hidden_size()},
          {"num_hidden_layers", o.n_layers()},
          {"num_attention_heads", o.n_heads()},
          {"num_key_value_heads", o.kv_heads()},
          {"head_dim", o.head_dim()},
          {"hidden_act", "silu"},
          {"max_position_embeddings", max_position_embeddings},
          {"rms_norm_eps", o.norm_eps()},
          {"rope_theta", rope_theta},
          {"rope_scaling", rope_scaling},
          {"tie_word_embeddings", o.tie_embeddings()},
          {"attention_bias", false},
          {"mlp_bias", false},
          {"attention_dropout", 0.0},
          {"initializer_range", o.init_std()},
          {"pretraining_tp", 1},
          {"use_cache", true},
          {"bos_token_id", optional_id(tokens.bos)},
          {"eos_token_id", optional_id(tokens.eos)},
          {"pad_token_id", optional_id(tokens.pad)},
          {"torch_dtype", "float32"}};
}

HfModelConfig parse_hf_config(const nlohmann::json& json, const ModelConfig& base,
                              const std::string& origin) {
  require_field(json.is_object(), origin, "not a JSON object");
  std::string model_type = field<std::string>(json, "model_type", origin, std::string("llama"));
  require_field(model_type == "llama", origin, "model_type = '" + model_type + "' is not llama");
  std::string act = field<std::string>(json, "hidden_act", origin, std::string("silu"));
  require_field(act == "silu", origin, "hidden_act = '" + act + "' is not silu");
  require_field(!field<bool>(json, "attention_bias", origin, false), origin, "attention_bias = true");
  require_field(!field<bool>(json, "mlp_bias", origin, false), origin, "mlp_bias = true");
  HfModelConfig hf;
  ModelConfig& m = hf.model;
  m = base;
  m.d_model = field<int64_t>(json, "hidden_size", origin, std::nullopt);
  m.n_layers = field<int64_t>(json, "num_hidden_layers", origin, std::nullopt);
  m.n_heads = field<int64_t>(json, "num_attention_heads", origin, std::nullopt);
  require_field(m.n_heads > 0 && m.d_model % m.n_heads == 0, origin,
                "num_attention_heads does not divide hidden_size");
  int64_t head_dim = field<int64_t>(json, "head_dim", origin, m.d_model / m.n_heads);
  require_field(head_dim == m.d_model / m.n_heads, origin,
                "head_dim is not hidden_size / num_attention_heads");
  int64_t kv_heads = field<int64_t>(json, "num_key_value_heads", origin, m.n_heads);
  m.n_kv_heads = kv_heads == m.n_heads ? 0 : kv_heads;  // 0: ropelm's spelling of plain multi-head attention
  m.mlp = MlpKind::kSwiGLU;
  m.mlp_hidden = field<int64_t>(json, "intermediate_size", origin, std::nullopt);
  if (m.mlp_hidden == TransformerOptions(1, m.d_model, 1, 1).mlp_hidden_size())
    m.mlp_hidden = 0;  // the default
  m.norm = NormKind::kRMSNorm;
  m.norm_eps = field<double>(json, "rms_norm_eps", origin, 1e-6);
  m.bias = false;
  m.tie_embeddings = field<bool>(json, "tie_word_embeddings", origin, false);
  m.position = PositionKind::kRope;
  m.rope_style = RopeStyle::kHalf;  // HF's rotate_half layout
  m.max_seq_len = 0;
  parse_rope(json, origin, m);
  hf.vocab_size = field<int64_t>(json, "vocab_size", origin, std::nullopt);
  hf.max_position_embeddings = field<int64_t>(json, "max_position_embeddings", origin, 2048);
  return hf;
}

}  // namespace ropelm
