// The position-wise feed-forward layer: SwiGLU (Shazeer 2020, as in Llama) or GELU (GPT-2).
#pragma once

#include <torch/torch.h>

#include "model/model_options.h"

namespace ropelm {

// Parameters: SwiGLU: gate_up.weight 2h × d_model (rows [gate | up], HF's gate_proj and up_proj fused),
// down.weight d_model × h. GELU: up.weight h × d_model, down.weight d_model × h. down is the residual
// projection.
class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(const TransformerOptions& options)
      : swiglu_(options.mlp() == MlpKind::kSwiGLU), dropout_(options.dropout()) {
    const int64_t d = options.d_model(), h = options.mlp_hidden_size();
    auto in_options = torch::nn::LinearOptions(d, swiglu_ ? 2 * h : h).bias(options.bias());
    in_proj = register_module(swiglu_ ? "gate_up" : "up", torch::nn::Linear(in_options));
    down = register_module("down", torch::nn::Linear(torch::nn::LinearOptions(h, d).bias(options.bias())));
  }

  // x: (B, T, C) → (B, T, C)
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = in_proj(x);  // (B, T, 2h) for SwiGLU, (B, T, h) for GELU
    if (swiglu_) {
      auto gate_up = h.chunk(2, -1);
      h = torch::silu(gate_up[0]) * gate_up[1];  // (B, T, h)
    } else {
      h = torch::gelu(h, "tanh");  // GPT-2's tanh approximation
    }
    auto y = down(h);  // (B, T, C)
    if (is_training() && dropout_ > 0) y = torch::dropout(y, dropout_, /*train=*/true);
    return y;
  }

  torch::nn::Linear in_proj{nullptr};  // registered as gate_up (SwiGLU) or up (GELU)
  torch::nn::Linear down{nullptr};

 private:
  bool swiglu_;
  double dropout_;
};
TORCH_MODULE(MLP);

}  // namespace ropelm
