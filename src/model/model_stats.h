// Parameter counts and training FLOPs per token of a Transformer.
#pragma once

#include <cstdint>

#include "model/transformer.h"

namespace ropelm {

struct ParameterCounts {
  int64_t total = 0;          // every registered parameter, each once (the tied head is the embedding)
  int64_t embedding = 0;      // tok_embeddings (padded rows included) + pos_embeddings (learned)
  int64_t non_embedding = 0;  // total − embedding (Kaplan et al. 2020's N); an untied lm_head counts here
};

ParameterCounts count_parameters(const TransformerImpl& model);

// N_matmul: the weights that take part in a matrix multiply per token, i.e. every Linear weight of every
// block (attn.qkv, attn.out, mlp.gate_up or mlp.up, mlp.down) plus the LM head over the real vocabulary
// (d_model · vocab_size, whether tied or not, since the head multiplies only the real rows). Excluded:
// embedding lookups (token and learned position tables), norm weights and all biases.
int64_t matmul_parameters(const TransformerImpl& model);

// Training FLOPs per token at sequence length T (PaLM, Chowdhery et al. 2022, appendix B):
// 6 · N_matmul (forward 2, backward 4) + 12 · n_layers · d_model · T for the attention scores q kᵀ and the
// weighted sum of v (2 matmuls, ×3 for forward + backward, 2 FLOPs a multiply-add). Counts the full T × T
// score matrix although causal attention needs half, as the PaLM and nanoGPT MFU figures do.
double training_flops_per_token(const TransformerImpl& model, int64_t T);

}  // namespace ropelm
