// ropelm ↔ HF Llama tensor names: fused qkv / gate_up split by rows, RoPE row permutation, vocab padding.
#include "interop/hf_tensor_names.h"

#include <set>

#include "util/error.h"

namespace ropelm {
namespace {

bool interleaved(const TransformerOptions& options) {
  return options.rope_style() == RopeStyle::kInterleaved;
}

// The layer's mappings: ropelm's fused projections hold HF's separate ones as consecutive row blocks
// (attention.h: qkv rows [q heads | k heads | v heads]; mlp.h: gate_up rows [gate | up]).
void add_layer(std::vector<HfTensorMapping>& mappings, const TransformerOptions& options, int64_t i) {
  const std::string ours = "blocks." + std::to_string(i) + ".";
  const std::string hf = "model.layers." + std::to_string(i) + ".";
  const int64_t hs = options.head_dim(), nh = options.n_heads(), nkv = options.kv_heads();
  const int64_t d = options.d_model(), h = options.mlp_hidden_size();
  mappings.push_back({ours + "attn_norm.weight", {{hf + "input_layernorm.weight", d}}});
  mappings.push_back({ours + "attn.qkv.weight",
                      {{hf + "self_attn.q_proj.weight", nh * hs, HfRows::kRopeHeads, nh},
                       {hf + "self_attn.k_proj.weight", nkv * hs, HfRows::kRopeHeads, nkv},
                       {hf + "self_attn.v_proj.weight", nkv * hs}}});
  mappings.push_back({ours + "attn.out.weight", {{hf + "self_attn.o_proj.weight", d}}});
  mappings.push_back({ours + "mlp_norm.weight", {{hf + "post_attention_layernorm.weight", d}}});
  mappings.push_back(
      {ours + "mlp.gate_up.weight", {{hf + "mlp.gate_proj.weight", h}, {hf + "mlp.up_proj.weight", h}}});
  mappings.push_back({ours + "mlp.down.weight", {{hf + "mlp.down_proj.weight", d}}});
}

// HF's rows of one part, taken from the ropelm rows that hold them.
torch::Tensor export_part(const torch::Tensor& rows, const HfPart& part, const TransformerOptions& options) {
  if (part.kind == HfRows::kRopeHeads && interleaved(options))
    return interleaved_to_half_rows(rows, part.heads);
  return rows;
}

// The ropelm rows of one part from HF's tensor; vocab parts gain zero padding rows.
torch::Tensor import_part(const torch::Tensor& hf, const HfPart& part, const TransformerOptions& options) {
  if (part.kind == HfRows::kRopeHeads && interleaved(options))
    return half_to_interleaved_rows(hf, part.heads);
  if (part.kind == HfRows::kVocab) {
    const int64_t padding = options.padded_vocab_size() - options.vocab_size();
    return torch::cat({hf, torch::zeros({padding, hf.size(1)}, hf.options())});
  }
  return hf;
}

}  // namespace

std::vector<HfTensorMapping> hf_tensor_mappings(const TransformerOptions& options) {
  const int64_t d = options.d_model(), vocab = options.vocab_size();
  std::vector<HfTensorMapping> mappings;
  mappings.push_back({"tok_embeddings.weight", {{"model.embed_tokens.weight", vocab, HfRows::kVocab}}});
  for (int64_t i = 0; i < options.n_layers(); ++i) add_layer(mappings, options, i);
  mappings.push_back({"norm.weight", {{"model.norm.weight", d}}});
  if (!options.tie_embeddings())
    mappings.push_back({"lm_head.weight", {{"lm_head.weight", vocab, HfRows::kVocab}}});
  return mappings;
}

torch::Tensor interleaved_to_half_rows(const torch::Tensor& weight, int64_t heads) {
  const int64_t rows = weight.size(0), cols = weight.size(1), hs = rows / heads;
  return weight.reshape({heads, hs / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

torch::Tensor half_to_interleaved_rows(const torch::Tensor& weight, int64_t heads) {
  const int64_t rows = weight.size(0), cols = weight.size(1), hs = rows / heads;
  return weight.reshape({heads, 2, hs / 2, cols}).transpose(1, 2).reshape({rows, cols});
}

NamedTensors to_hf_tensors(const TransformerOptions& options,
                           const std::map<std::string, torch::Tensor>& parameters) {
  NamedTensors hf;
  for (const auto& mapping : hf_tensor_mappings(options)) {
    auto found = parameters.find(mapping.ropelm_name);
    if (found == parameters.end())
      throw UserError("the model has no parameter '" + mapping.ropelm_name + "'");
    int64_t row = 0;
    for (const auto& part : mapping.parts) {
      auto rows = found->second.narrow(0, row, part.rows).contiguous();
      hf.emplace_back(part.name, export_part(rows, part, options));
      row += part.rows;
    }
  }
  return hf;
}

NamedTensors from_hf_tensors(const TransformerOptions& options,
                             const std::map<std::string, torch::Tensor>& hf_tensors) {
  std::set<std::string> unused;
  for (const auto& [name, tensor] : hf_tensors) unused.insert(name);
  NamedTensors ours;
  for (const auto& mapping : hf_tensor_mappings(options)) {
    std::vector<torch::Tensor> blocks;
    for (const auto& part : mapping.parts) {
      auto found = hf_tensors.find(part.name);
      if (found == hf_tensors.end())
        throw UserError("the Hugging Face weights have no tensor '" + part.name + "'");
      // Rows only: load_model_weights checks the full shapes against the model.
      if (found->second.dim() < 1 || found->second.size(0) != part.rows) {
        throw UserError("Hugging Face tensor '" + part.name + "' has shape " +
                        c10::str(found->second.sizes()) + ", but config.json implies " +
                        std::to_string(part.rows) + " rows");
      }
      blocks.push_back(import_part(found->second, part, options));
      unused.erase(found->first);
    }
    ours.emplace_back(mapping.ropelm_name, blocks.size() == 1 ? blocks[0] : torch::cat(blocks));
  }
  for (const auto& name : unused) {
    // Caches of old transformers versions, and a tied head's duplicate, which HF itself ignores when loading.
    bool ignorable =
        name.ends_with(".rotary_emb.inv_freq") || (name == "lm_head.weight" && options.tie_embeddings());
    if (!ignorable) throw UserError("Hugging Face tensor '" + name + "' has no place in a Llama model");
  }
  return ours;
}

}  // namespace ropelm
