// YaRN (Peng et al. 2023, "YaRN: Efficient Context Window Extension of Large Language Models"): RoPE
// frequencies interpolated "by parts" and a softmax temperature, to run a model past the context it was
// trained on.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ropelm {

struct YarnOptions {
  int64_t head_dim = 0;
  double theta = 10000.0;        // RoPE base b
  double factor = 1.0;           // s = L' / L, the extension factor
  int64_t original_context = 0;  // L, the context the model was trained on
  double alpha = 1.0;            // dimensions turning fewer than alpha times over L are interpolated
  double beta = 32.0;            // dimensions turning more than beta times over L are kept
};

// h(θ_i) = (1 − γ_i) θ_i / s + γ_i θ_i for the RoPE frequencies θ_i = b^(−2i/d), i < d/2 ("NTK-by-parts",
// section 3.2): dimension i's wavelength λ_i = 2π / θ_i fits r_i = L / λ_i times into the trained context;
// γ = 1 (extrapolate: keep θ) where r > β, γ = 0 (interpolate: θ / s) where r < α, and a linear ramp in
// between (α = 1, β = 32 for LLaMA). As in the paper's released code (and HF transformers'
// _compute_yarn_parameters, vLLM, llama.cpp) the ramp runs linearly over the dimension index i between the
// dimensions where r = β and r = α, rounded outward to whole dimensions: the form YaRN models ship with.
// (head_dim / 2) fp64 on the CPU. With s = 1 it returns θ exactly.
torch::Tensor yarn_inverse_frequencies(const YarnOptions& options);

// √(1/t) = 0.1 ln s + 1 (section 3.4): the attention logits are divided by the temperature t by scaling both
// q and k by √(1/t), i.e. RoPE's cos and sin tables; 1 exactly for s = 1.
double yarn_attention_factor(double factor);

}  // namespace ropelm
