// The pre-norm layer: RMSNorm (Zhang & Sennrich 2019, as in Llama) or LayerNorm (Ba et al. 2016, as in
// GPT-2).
#pragma once

#include <torch/torch.h>

#include "model/model_options.h"

namespace ropelm {

struct NormOptions {
  explicit NormOptions(int64_t dim) : dim_(dim) {}
  TORCH_ARG(int64_t, dim);
  TORCH_ARG(NormKind, kind) = NormKind::kRMSNorm;
  TORCH_ARG(double, eps) = 1e-5;
  TORCH_ARG(bool, bias) = false;  // LayerNorm only (nanoGPT's LayerNorm(bias=config.bias))
};

class NormImpl : public torch::nn::Module {
 public:
  explicit NormImpl(NormOptions options) : options_(options) {
    weight = register_parameter("weight", torch::ones({options.dim()}));
    if (options.kind() == NormKind::kLayerNorm && options.bias()) {
      bias = register_parameter("bias", torch::zeros({options.dim()}));
    }
  }

  // x: (..., C) → (..., C). Statistics in fp32 whatever the input dtype, as Llama does.
  torch::Tensor forward(const torch::Tensor& x) {
    if (options_.kind() == NormKind::kLayerNorm) {
      return torch::layer_norm(x, {options_.dim()}, weight, bias, options_.eps());
    }
    auto xf = x.to(torch::kFloat);
    auto inv_rms = xf.square().mean(-1, /*keepdim=*/true).add_(options_.eps()).rsqrt_();
    return (xf * inv_rms).to(x.scalar_type()) * weight;
  }

  torch::Tensor weight;
  torch::Tensor bias;  // undefined unless LayerNorm with bias

 private:
  NormOptions options_;
};
TORCH_MODULE(Norm);

inline NormOptions norm_options(const TransformerOptions& options) {
  return NormOptions(options.d_model()).kind(options.norm()).eps(options.norm_eps()).bias(options.bias());
}

}  // namespace ropelm
