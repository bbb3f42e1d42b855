// HF Llama ↔ llama.cpp's `llama` GGUF: the hyperparameter keys and tensor names of llama.cpp's
// llama-arch.cpp, and the q/k row order of convert_hf_to_gguf.py's LlamaModel.permute.
#include "interop/gguf_llama.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>

#include "interop/gguf_tensor_codec.h"
#include "interop/hf_tensor_names.h"
#include "util/error.h"

namespace ropelm {
namespace {

struct NamePair {
  const char* hf;
  const char* gguf;
};

constexpr NamePair kModelNames[] = {{"model.embed_tokens.weight", "token_embd.weight"},
                                    {"model.norm.weight", "output_norm.weight"},
                                    {"lm_head.weight", "output.weight"}};
constexpr NamePair kLayerNames[] = {
    {"input_layernorm.weight", "attn_norm.weight"},    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},      {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"}, {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},       {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"}};

// The name on the other side (HF → GGUF when to_gguf), or nullopt for a name llama has no place for.
std::optional<std::string> rename(const std::string& name, bool to_gguf) {
  for (const auto& pair : kModelNames)
    if (name == (to_gguf ? pair.hf : pair.gguf)) return to_gguf ? pair.gguf : pair.hf;
  const std::string from = to_gguf ? "model.layers." : "blk.", to = to_gguf ? "blk." : "model.layers.";
  if (!name.starts_with(from)) return std::nullopt;
  const size_t dot = name.find('.', from.size());
  const std::string layer = name.substr(from.size(), dot == std::string::npos ? 0 : dot - from.size());
  if (layer.empty() || layer.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const std::string rest = name.substr(dot + 1);
  for (const auto& pair : kLayerNames)
    if (rest == (to_gguf ? pair.hf : pair.gguf)) return to + layer + "." + (to_gguf ? pair.gguf : pair.hf);
  return std::nullopt;
}

// The number of heads whose rows RoPE rotates in an HF tensor (0: not a q or k projection).
int64_t rope_heads(const std::string& hf_name, const nlohmann::json& config) {
  if (hf_name.ends_with("self_attn.q_proj.weight")) return config.at("num_attention_heads").get<int64_t>();
  if (hf_name.ends_with("self_attn.k_proj.weight")) return config.at("num_key_value_heads").get<int64_t>();
  return 0;
}

GgmlType tensor_type(const torch::Tensor& tensor, GgmlType dtype) {
  if (tensor.dim() == 1) return GgmlType::kF32;  // norm gains: tiny, and llama.cpp reads them as F32
  if (dtype == GgmlType::kQ8_0 && tensor.size(1) % 32 != 0) return GgmlType::kF16;
  return dtype;
}

// llama.h's llama_ftype of a file whose matrices are `dtype`.
uint32_t file_type(GgmlType dtype) {
  switch (dtype) {
    case GgmlType::kF16:
      return 1;
    case GgmlType::kQ8_0:
      return 7;
    case GgmlType::kBF16:
      return 32;
    default:
      return 0;
  }
}

// GGUF stores these hyperparameters as float32: the shortest decimal that reads back as the same float is
// what the model was configured with (1e-05 rather than 9.99999974737875e-06).
double shortest_decimal(double value) {
  char text[32];
  auto end = std::to_chars(text, text + sizeof(text) - 1, static_cast<float>(value)).ptr;
  *end = '\0';
  return std::strtod(text, nullptr);
}

nlohmann::json rope_scaling_from_gguf(const GgufFile& file) {
  const std::string type = gguf_string(file, "llama.rope.scaling.type", false).value_or("none");
  if (type == "none") {
    // Older files carry linear scaling as rope.scale_linear alone.
    auto legacy = gguf_float(file, "llama.rope.scale_linear", false);
    if (!legacy || *legacy == 1.0) return nullptr;
    return {{"rope_type", "linear"}, {"factor", shortest_decimal(*legacy)}};
  }
  if (type != "linear")
    throw UserError("llama.rope.scaling.type = '" + type +
                    "' has no ropelm equivalent; import supports none and linear");
  return {{"rope_type", "linear"},
          {"factor", shortest_decimal(*gguf_float(file, "llama.rope.scaling.factor", true))}};
}

void require(bool condition, const std::string& message) {
  if (!condition) throw UserError(message + " (ropelm imports plain Llama models only)");
}

// torch-order shape of each HF tensor the config implies.
std::vector<int64_t> expected_shape(const std::string& hf_name, const nlohmann::json& c) {
  const int64_t d = c.at("hidden_size"), hs = d / c.at("num_attention_heads").get<int64_t>();
  const int64_t q = c.at("num_attention_heads").get<int64_t>() * hs;
  const int64_t kv = c.at("num_key_value_heads").get<int64_t>() * hs, ff = c.at("intermediate_size");
  const int64_t vocab = c.at("vocab_size");
  if (hf_name.ends_with("layernorm.weight") || hf_name == "model.norm.weight") return {d};
  if (hf_name == "model.embed_tokens.weight" || hf_name == "lm_head.weight") return {vocab, d};
  if (hf_name.ends_with("q_proj.weight")) return {q, d};
  if (hf_name.ends_with("k_proj.weight") || hf_name.ends_with("v_proj.weight")) return {kv, d};
  if (hf_name.ends_with("o_proj.weight")) return {d, q};
  if (hf_name.ends_with("down_proj.weight")) return {d, ff};
  return {ff, d};  // gate_proj, up_proj
}

// Every tensor name a llama model of this config has in GGUF (the file's own count bounds the layer loop).
std::set<std::string> expected_names(const nlohmann::json& c, size_t tensors_in_file) {
  const auto layers = c.at("num_hidden_layers").get<uint64_t>();
  if (layers > tensors_in_file)
    throw UserError("llama.block_count = " + std::to_string(layers) + " but the file has only " +
                    std::to_string(tensors_in_file) + " tensors");
  std::set<std::string> names = {"token_embd.weight", "output_norm.weight"};
  if (!c.at("tie_word_embeddings").get<bool>()) names.insert("output.weight");
  for (uint64_t i = 0; i < layers; ++i)
    for (const auto& pair : kLayerNames) names.insert("blk." + std::to_string(i) + "." + pair.gguf);
  return names;
}

}  // namespace

void add_llama_metadata(GgufFile& file, const nlohmann::json& c, const std::string& name, GgmlType dtype) {
  auto u32 = [](const nlohmann::json& value) { return GgufValue{value.get<uint32_t>()}; };
  auto f32 = [](const nlohmann::json& value) { return GgufValue{value.get<float>()}; };
  file.set("general.architecture", {std::string("llama")});
  file.set("general.name", {name});
  file.set("general.file_type", {file_type(dtype)});
  if (dtype == GgmlType::kQ8_0) file.set("general.quantization_version", {uint32_t{2}});  // GGML_QNT_VERSION
  file.set("general.alignment", {static_cast<uint32_t>(kGgufAlignment)});
  file.set("llama.vocab_size", u32(c.at("vocab_size")));
  file.set("llama.context_length", u32(c.at("max_position_embeddings")));
  file.set("llama.embedding_length", u32(c.at("hidden_size")));
  file.set("llama.block_count", u32(c.at("num_hidden_layers")));
  file.set("llama.feed_forward_length", u32(c.at("intermediate_size")));
  file.set("llama.attention.head_count", u32(c.at("num_attention_heads")));
  file.set("llama.attention.head_count_kv", u32(c.at("num_key_value_heads")));
  file.set("llama.rope.dimension_count", u32(c.at("head_dim")));
  file.set("llama.rope.freq_base", f32(c.at("rope_theta")));
  file.set("llama.attention.layer_norm_rms_epsilon", f32(c.at("rms_norm_eps")));
  const nlohmann::json& scaling = c.at("rope_scaling");
  if (!scaling.is_null()) {  // hf_config_json writes linear scaling only (NTK is folded into rope_theta)
    file.set("llama.rope.scaling.type", {std::string("linear")});
    file.set("llama.rope.scaling.factor", f32(scaling.at("factor")));
  }
}

std::vector<GgufTensor> llama_gguf_tensors(const NamedTensors& hf_tensors, const nlohmann::json& hf_config,
                                           GgmlType dtype) {
  std::vector<GgufTensor> tensors;
  for (const auto& [hf_name, tensor] : hf_tensors) {
    auto name = rename(hf_name, /*to_gguf=*/true);
    if (!name) throw std::logic_error("no GGUF name for " + hf_name);
    const int64_t heads = rope_heads(hf_name, hf_config);
    const torch::Tensor rows = heads > 0 ? half_to_interleaved_rows(tensor, heads) : tensor;
    tensors.push_back(encode_gguf_tensor(*name, rows, tensor_type(tensor, dtype)));
  }
  return tensors;
}

nlohmann::json hf_config_from_gguf(const GgufFile& file) {
  const std::string arch = *gguf_string(file, "general.architecture", true);
  require(arch == "llama", "general.architecture = '" + arch + "' is not llama");
  require(gguf_uint(file, "llama.expert_count", false).value_or(0) == 0, "llama.expert_count > 0 (MoE)");
  auto key = [&](const std::string& name) { return *gguf_uint(file, "llama." + name, true); };
  const uint64_t d = key("embedding_length"), heads = key("attention.head_count");
  require(heads > 0 && d % heads == 0, "llama.attention.head_count does not divide llama.embedding_length");
  const uint64_t head_dim = d / heads;
  require(gguf_uint(file, "llama.rope.dimension_count", false).value_or(head_dim) == head_dim,
          "llama.rope.dimension_count is not the head size (partial rotary)");
  for (const char* length : {"llama.attention.key_length", "llama.attention.value_length"})
    require(gguf_uint(file, length, false).value_or(head_dim) == head_dim,
            std::string(length) + " is not embedding_length / head_count");
  uint64_t vocab = gguf_uint(file, "llama.vocab_size", false).value_or(0);
  if (vocab == 0) vocab = gguf_string_array(file, "tokenizer.ggml.tokens").size();
  return {
      {"architectures", nlohmann::json::array({"LlamaForCausalLM"})},
      {"model_type", "llama"},
      {"vocab_size", vocab},
      {"hidden_size", d},
      {"intermediate_size", key("feed_forward_length")},
      {"num_hidden_layers", key("block_count")},
      {"num_attention_heads", heads},
      {"num_key_value_heads", gguf_uint(file, "llama.attention.head_count_kv", false).value_or(heads)},
      {"head_dim", head_dim},
      {"hidden_act", "silu"},
      {"max_position_embeddings", key("context_length")},
      {"rms_norm_eps", shortest_decimal(*gguf_float(file, "llama.attention.layer_norm_rms_epsilon", true))},
      {"rope_theta", shortest_decimal(gguf_float(file, "llama.rope.freq_base", false).value_or(10000.0))},
      {"rope_scaling", rope_scaling_from_gguf(file)},
      {"tie_word_embeddings", file.find_tensor("output.weight") == nullptr},
      {"torch_dtype", "float32"}};
}

NamedTensors hf_tensors_from_gguf(const GgufFile& file, const nlohmann::json& hf_config) {
  std::set<std::string> missing = expected_names(hf_config, file.tensors.size());
  NamedTensors hf;
  for (const auto& tensor : file.tensors) {
    auto hf_name = rename(tensor.name, /*to_gguf=*/false);
    if (!hf_name || missing.erase(tensor.name) == 0)
      throw UserError("GGUF tensor '" + tensor.name + "' has no place in a llama model of " +
                      hf_config.at("num_hidden_layers").dump() + " blocks");
    torch::Tensor values = decode_gguf_tensor(tensor);
    const auto shape = expected_shape(*hf_name, hf_config);
    if (values.sizes() != c10::IntArrayRef(shape))
      throw UserError("GGUF tensor '" + tensor.name + "' has shape " + c10::str(values.sizes()) +
                      " (torch order), but the llama.* metadata implies " +
                      c10::str(c10::IntArrayRef(shape)));
    const int64_t heads = rope_heads(*hf_name, hf_config);
    hf.emplace_back(*hf_name, heads > 0 ? interleaved_to_half_rows(values, heads) : values);
  }
  if (!missing.empty()) throw UserError("the GGUF file has no tensor '" + *missing.begin() + "'");
  return hf;
}

}  // namespace ropelm
