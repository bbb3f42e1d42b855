// RoPE context extensions at evaluation: YaRN (Peng et al. 2023) against closed forms and against HF
// transformers' _compute_yarn_parameters re-derived step by step in float32, its attention factor, factor 1
// as plain RoPE bit for bit, and rebuilding a model's tables (eval --rope-scaling) without touching weights.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "model/kv_cache.h"
#include "model/rotary_embedding.h"
#include "model/transformer.h"
#include "model/yarn.h"
#include "model_test_util.h"
#include "util/error.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using testing::random_ids;
using testing::tiny_options;

YarnOptions yarn(int64_t head_dim, double theta, double factor, int64_t context) {
  YarnOptions options;
  options.head_dim = head_dim;
  options.theta = theta;
  options.factor = factor;
  options.original_context = context;
  return options;
}

// θ_i = b^(−2i/d) · (1/s + (1 − 1/s) γ_i) for the given γ (the paper's h(θ) with γ = 1 kept, 0 interpolated).
void expect_frequencies(const YarnOptions& options, const std::vector<double>& gamma) {
  auto frequencies = yarn_inverse_frequencies(options);
  ASSERT_EQ(frequencies.size(0), options.head_dim / 2);
  for (int64_t i = 0; i < options.head_dim / 2; ++i) {
    const double theta = std::pow(options.theta, -2.0 * i / options.head_dim);
    const double expected = theta * (1 / options.factor + (1 - 1 / options.factor) * gamma[i]);
    EXPECT_NEAR(frequencies[i].item<double>(), expected, 1e-12 * theta) << "dimension " << i;
  }
}

// head_dim 16, b = 10⁴, L = 64, s = 4: dimension i turns L θ_i / 2π = 10.19, 3.22, 1.02, 0.32, ... times over
// the context. r = β = 32 falls at i = 16 ln(64 / 64π) / (2 ln 10⁴) = −0.994 → floor → 0, and r = α = 1 at
// i = 16 ln(64 / 2π) / (2 ln 10⁴) = 2.016 → ceil → 3; so γ ramps 1, 2/3, 1/3 and is 0 from dimension 3 on.
TEST(Yarn, FrequenciesMatchAClosedFormForSmallHeads) {
  expect_frequencies(yarn(16, 10000.0, 4.0, 64), {1, 2.0 / 3, 1.0 / 3, 0, 0, 0, 0, 0});
}

// head_dim 64, b = 10⁴, L = 4096, s = 8 (a Llama-like head): r = 32 at i = 10.47 → 10, r = 1 at
// i = 22.51 → 23; γ = 1 up to dimension 10, 1 − (i − 10)/13 between, 0 from 23 on.
TEST(Yarn, FrequenciesMatchAClosedFormForLlamaHeads) {
  std::vector<double> gamma;
  for (int i = 0; i < 32; ++i) gamma.push_back(1.0 - std::clamp((i - 10.0) / 13.0, 0.0, 1.0));
  expect_frequencies(yarn(64, 10000.0, 8.0, 4096), gamma);
}

// HF transformers' _compute_yarn_parameters (modeling_rope_utils.py), transcribed line by line in float32:
// pos_freqs = base ** (arange(0, dim, 2) / dim); the correction range by math.floor/ceil of
// find_correction_dim, clamped to [0, dim − 1]; the ramp over arange(dim // 2); inv_freq blended from the
// interpolated and extrapolated frequencies by (1 − ramp).
torch::Tensor hf_yarn_inverse_frequencies(int64_t dim, double base, double factor, int64_t max_positions) {
  auto pos_freqs = torch::pow(base, torch::arange(0, dim, 2).to(torch::kFloat) / static_cast<double>(dim));
  auto extrapolation = 1.0 / pos_freqs;
  auto interpolation = 1.0 / (factor * pos_freqs);
  auto correction_dim = [&](double rotations) {
    return (dim * std::log(max_positions / (rotations * 2 * std::numbers::pi))) / (2 * std::log(base));
  };
  double low = std::max(std::floor(correction_dim(32)), 0.0);
  double high = std::min(std::ceil(correction_dim(1)), static_cast<double>(dim - 1));
  if (low == high) high += 0.001;
  auto ramp = ((torch::arange(dim / 2).to(torch::kFloat) - low) / (high - low)).clamp(0, 1);
  auto extrapolation_factor = 1 - ramp;
  return interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor;
}

TEST(Yarn, FrequenciesMatchTransformersRederived) {
  struct Case {
    int64_t dim;
    double base, factor;
    int64_t context;
  };
  for (const Case& c : {Case{8, 10000.0, 2.0, 64}, Case{16, 10000.0, 4.0, 64}, Case{32, 500000.0, 16.0, 8192},
                        Case{64, 10000.0, 8.0, 4096}, Case{128, 10000.0, 32.0, 2048}}) {
    auto ours = yarn_inverse_frequencies(yarn(c.dim, c.base, c.factor, c.context));
    auto hf = hf_yarn_inverse_frequencies(c.dim, c.base, c.factor, c.context).to(torch::kDouble);
    EXPECT_TRUE(torch::allclose(ours, hf, 1e-6, 0)) << "dim " << c.dim << ": largest relative difference "
                                                    << ((ours - hf).abs() / hf).max().item<double>();
  }
}

TEST(Yarn, FactorOneIsPlainRopeExactly) {
  RotaryEmbedding plain(RotaryOptions(16));
  RotaryEmbedding same(RotaryOptions(16).scaling(RopeScaling::kYarn).factor(1.0).original_context(64));
  EXPECT_TRUE(torch::equal(plain.inverse_frequencies(), same.inverse_frequencies()));
  auto [cos_plain, sin_plain] = plain.cos_sin(0, 300, torch::kCPU);
  auto [cos_same, sin_same] = same.cos_sin(0, 300, torch::kCPU);
  EXPECT_TRUE(torch::equal(cos_plain, cos_same));
  EXPECT_TRUE(torch::equal(sin_plain, sin_same));
}

// √(1/t) = 0.1 ln s + 1 scales cos and sin, so q and k alike: a query and key at the same position score
// (0.1 ln s + 1)² q·k, i.e. the logits are divided by the temperature t.
TEST(Yarn, AttentionFactorScalesTheLogitsByOneOverT) {
  EXPECT_DOUBLE_EQ(yarn_attention_factor(1.0), 1.0);
  EXPECT_NEAR(yarn_attention_factor(16.0), 0.1 * std::log(16.0) + 1, 1e-15);
  torch::manual_seed(4);
  const double factor = 8.0, scale = yarn_attention_factor(factor);
  RotaryEmbedding rope(RotaryOptions(16).scaling(RopeScaling::kYarn).factor(factor).original_context(64));
  auto [cos, sin] = rope.cos_sin(0, 200, torch::kCPU);
  EXPECT_TRUE(torch::allclose(cos * cos + sin * sin, torch::full_like(cos, scale * scale), 1e-6, 0));
  auto q = torch::randn({1, 200, 1, 16}), k = torch::randn({1, 200, 1, 16});
  auto scores =
      (apply_rotary(q, cos, sin, RopeStyle::kHalf) * apply_rotary(k, cos, sin, RopeStyle::kHalf)).sum(-1);
  EXPECT_TRUE(torch::allclose(scores, scale * scale * (q * k).sum(-1), 1e-4, 1e-5));
}

TEST(Yarn, OptionsNameTheKeys) {
  ModelConfig config;
  config.rope_scaling = RopeScaling::kYarn;
  config.rope_scaling_factor = 4;
  EXPECT_EQ(from_config(config, 100, 128).original_context(), 128);
  config.yarn_alpha = 40;
  try {
    from_config(config, 100, 128);
    FAIL() << "expected a UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("model.yarn_alpha = 40 must be positive and below model.yarn_beta = 32"));
  }
}

// eval --rope-scaling rebuilds the tables of a trained model: the result equals a model built with that
// scaling and the same weights, switching back restores the logits bit for bit, and models without RoPE
// refuse.
TEST(RopeScaling, RebuildingTheTablesEqualsBuildingWithThem) {
  torch::manual_seed(5);
  auto options = tiny_options().original_context(16);
  Transformer trained(options);
  Transformer built(TransformerOptions(options).rope_scaling(RopeScaling::kYarn).rope_scaling_factor(4));
  {
    torch::NoGradGuard no_grad;
    auto from = trained->parameters(), to = built->parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  trained->eval();
  built->eval();
  torch::NoGradGuard no_grad;
  auto ids = random_ids(2, 48, 50);
  auto plain = trained(ids);
  trained->set_rope_scaling(RopeScaling::kYarn, 4.0);
  EXPECT_TRUE(torch::equal(trained(ids), built(ids)));
  EXPECT_FALSE(torch::allclose(trained(ids), plain));
  trained->set_rope_scaling(RopeScaling::kNone, 1.0);
  EXPECT_TRUE(torch::equal(trained(ids), plain));

  Transformer alibi(tiny_options().position(PositionKind::kAlibi));
  EXPECT_THROW(alibi->set_rope_scaling(RopeScaling::kLinear, 2.0), UserError);
  EXPECT_THROW(trained->set_rope_scaling(RopeScaling::kLinear, 0.5), UserError);
}

}  // namespace
}  // namespace ropelm
