// RoPE and sinusoidal encodings: closed-form values and the properties RoFormer proves (norms, relative
// position).
#include <gtest/gtest.h>

#include <cmath>

#include "model/positional.h"
#include "model/rotary_embedding.h"
#include "model/transformer.h"
#include "model_test_util.h"

namespace ropelm {
namespace {

using testing::random_ids;
using testing::tiny_options;

// Rotates one vector x (hs) to each of the given positions: (P, hs).
torch::Tensor rotate_at(const RotaryEmbedding& rope, const torch::Tensor& x, int64_t first, int64_t count,
                        RopeStyle style) {
  auto [cos, sin] = rope.cos_sin(first, count, torch::kCPU);                // (P, 1, hs/2)
  auto xs = x.view({1, 1, -1}).expand({count, 1, x.size(0)}).contiguous();  // (P, 1, hs)
  return apply_rotary(xs.unsqueeze(0), cos, sin, style).view({count, x.size(0)});
}

TEST(Rope, PreservesNorms) {
  torch::manual_seed(0);
  RotaryEmbedding rope(RotaryOptions(16));
  auto x = torch::randn({2, 40, 3, 16});  // (B, T, n, hs)
  for (auto style : {RopeStyle::kHalf, RopeStyle::kInterleaved}) {
    auto [cos, sin] = rope.cos_sin(7, 40, torch::kCPU);
    auto rotated = apply_rotary(x, cos, sin, style);
    EXPECT_TRUE(torch::allclose(rotated.norm(2, -1), x.norm(2, -1), 1e-5, 1e-5));
  }
}

TEST(Rope, ScoresDependOnlyOnRelativePosition) {
  torch::manual_seed(1);
  auto q = torch::randn({32});
  auto k = torch::randn({32});
  q /= q.norm();
  k /= k.norm();
  const int64_t P = 150;
  for (auto scaling : {RopeScaling::kNone, RopeScaling::kLinear, RopeScaling::kNTK}) {
    RotaryEmbedding rope(RotaryOptions(32).scaling(scaling).factor(3.0));
    for (auto style : {RopeStyle::kHalf, RopeStyle::kInterleaved}) {
      auto scores =
          torch::matmul(rotate_at(rope, q, 0, P, style), rotate_at(rope, k, 0, P, style).t());  // (m, n)
      // Reference for each distance d = m − n: the score with one of the two at position 0.
      auto q_ahead = torch::matmul(rotate_at(rope, q, 0, P, style), k);      // d = m ≥ 0, n = 0
      auto k_ahead = torch::matmul(q, rotate_at(rope, k, 0, P, style).t());  // d = −n ≤ 0, m = 0
      auto m = torch::arange(P).view({P, 1}).expand({P, P});
      auto n = torch::arange(P).view({1, P}).expand({P, P});
      auto d = m - n;
      auto expected =
          torch::where(d >= 0, q_ahead.index({d.clamp_min(0)}), k_ahead.index({(-d).clamp_min(0)}));
      EXPECT_LT((scores - expected).abs().max().item<double>(), 1e-5);
    }
  }
}

TEST(Rope, PositionZeroIsIdentity) {
  torch::manual_seed(2);
  RotaryEmbedding rope(RotaryOptions(8));
  auto x = torch::randn({1, 1, 2, 8});
  auto [cos, sin] = rope.cos_sin(0, 1, torch::kCPU);
  for (auto style : {RopeStyle::kHalf, RopeStyle::kInterleaved}) {
    EXPECT_TRUE(torch::equal(apply_rotary(x, cos, sin, style), x));
  }
}

TEST(Rope, HandComputedExamples) {
  // head_dim 2: one pair at frequency theta^0 = 1, so position m rotates (1, 2) by m radians.
  RotaryEmbedding rope2(RotaryOptions(2));
  auto rotated = rotate_at(rope2, torch::tensor({1.0f, 2.0f}), 3, 1, RopeStyle::kHalf);
  EXPECT_NEAR(rotated[0][0].item<float>(), std::cos(3.0) - 2 * std::sin(3.0), 1e-6);
  EXPECT_NEAR(rotated[0][1].item<float>(), std::sin(3.0) + 2 * std::cos(3.0), 1e-6);

  // head_dim 4, theta 100: frequencies 1 and 100^(-1/2) = 0.1. half pairs (0, 2) and (1, 3); interleaved
  // pairs (0, 1) and (2, 3).
  RotaryEmbedding rope4(RotaryOptions(4).theta(100.0));
  auto x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f});
  const double m = 5, a = m * 1.0, b = m * 0.1;
  auto half = rotate_at(rope4, x, 5, 1, RopeStyle::kHalf)[0];
  auto half_expected = torch::tensor({1 * std::cos(a) - 3 * std::sin(a), 2 * std::cos(b) - 4 * std::sin(b),
                                      1 * std::sin(a) + 3 * std::cos(a), 2 * std::sin(b) + 4 * std::cos(b)},
                                     torch::kFloat);
  EXPECT_TRUE(torch::allclose(half, half_expected, 1e-5, 1e-6));
  auto interleaved = rotate_at(rope4, x, 5, 1, RopeStyle::kInterleaved)[0];
  auto interleaved_expected =
      torch::tensor({1 * std::cos(a) - 2 * std::sin(a), 1 * std::sin(a) + 2 * std::cos(a),
                     3 * std::cos(b) - 4 * std::sin(b), 3 * std::sin(b) + 4 * std::cos(b)},
                    torch::kFloat);
  EXPECT_TRUE(torch::allclose(interleaved, interleaved_expected, 1e-5, 1e-6));
}

TEST(Rope, ScalingClosedForms) {
  RotaryEmbedding plain(RotaryOptions(16));
  RotaryEmbedding linear(RotaryOptions(16).scaling(RopeScaling::kLinear).factor(4.0));
  // Position interpolation: position 4m scaled equals position m unscaled.
  auto [cos_plain, sin_plain] = plain.cos_sin(0, 10, torch::kCPU);
  auto [cos_linear, sin_linear] = linear.cos_sin(0, 40, torch::kCPU);
  auto every_fourth = torch::arange(0, 40, 4);
  EXPECT_TRUE(torch::allclose(cos_linear.index({every_fourth}), cos_plain, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(sin_linear.index({every_fourth}), sin_plain, 1e-6, 1e-6));
  // NTK: base theta · f^(d/(d−2)), so the lowest frequency becomes theta^(−(d−2)/d) / f; the highest stays 1.
  RotaryEmbedding ntk(RotaryOptions(16).theta(10000.0).scaling(RopeScaling::kNTK).factor(4.0));
  auto frequencies = ntk.inverse_frequencies();
  EXPECT_NEAR(frequencies[0].item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(frequencies[7].item<double>(), std::pow(10000.0, -14.0 / 16.0) / 4.0, 1e-12);
}

TEST(Rope, TablesGrowOnDemandAndStayTrainable) {
  RotaryEmbedding rope(RotaryOptions(8));
  {
    c10::InferenceMode inference;
    rope.cos_sin(0, 4, torch::kCPU);
  }
  auto [cos, sin] = rope.cos_sin(1000, 3, torch::kCPU);  // grows far past the first request
  EXPECT_FALSE(cos.is_inference());
  auto angles = 1001.0 * std::pow(10000.0, -2.0 / 8.0);  // position 1001, frequency i = 1
  EXPECT_NEAR(cos[1][0][1].item<float>(), std::cos(angles), 1e-6);
  EXPECT_NEAR(sin[1][0][1].item<float>(), std::sin(angles), 1e-6);
}

// Permuting each head's q and k rows from half to interleaved order makes the two layouts compute the same
// scores: interleaved dimension 2i pairs with 2i+1 where half pairs i with i + hs/2.
TEST(Rope, HalfAndInterleavedAgreeUnderPermutation) {
  torch::manual_seed(3);
  auto options = tiny_options().n_kv_heads(2);
  Transformer half(options);
  Transformer interleaved(TransformerOptions(options).rope_style(RopeStyle::kInterleaved));
  const int64_t hs = options.head_dim(), q_k_heads = options.n_heads() + options.kv_heads();
  auto within_head = torch::stack({torch::arange(hs / 2), torch::arange(hs / 2) + hs / 2}, -1).flatten();
  auto heads = torch::arange(q_k_heads).view({-1, 1}) * hs;
  auto q_k_rows =
      (heads + within_head.view({1, -1})).flatten();  // interleaved row r takes half row q_k_rows[r]
  auto rows = torch::cat({q_k_rows, torch::arange(q_k_heads * hs, (q_k_heads + options.kv_heads()) * hs)});
  {
    torch::NoGradGuard no_grad;
    auto source = half->named_parameters();
    for (auto& item : interleaved->named_parameters()) {
      auto value = source[item.key()];
      if (item.key().ends_with("attn.qkv.weight")) value = value.index({rows});
      item.value().copy_(value);
    }
  }
  auto ids = random_ids(2, 12, options.vocab_size());
  EXPECT_TRUE(torch::allclose(half(ids), interleaved(ids), 1e-5, 1e-5));
}

TEST(Rope, TablesStayFp32InBf16Model) {
  torch::manual_seed(4);
  Transformer model(tiny_options());
  model->to(torch::kBFloat16);
  auto logits = model(random_ids(1, 8, 50));
  EXPECT_EQ(logits.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(logits.isfinite().all().item<bool>());
  auto [cos, sin] = model->rotary()->cos_sin(0, 8, torch::kCPU);
  EXPECT_EQ(cos.scalar_type(), torch::kFloat);
  EXPECT_EQ(sin.scalar_type(), torch::kFloat);
  auto x = torch::randn({1, 8, 2, 8}).to(torch::kBFloat16);
  EXPECT_EQ(apply_rotary(x, cos, sin, RopeStyle::kHalf).scalar_type(), torch::kBFloat16);
}

TEST(Sinusoidal, MatchesVaswaniFormula) {
  SinusoidalPositions positions(8);
  auto table = positions.encodings(3, 5, torch::kCPU);  // positions 3..7
  for (int64_t p = 0; p < 5; ++p) {
    for (int64_t i = 0; i < 4; ++i) {
      const double angle = static_cast<double>(p + 3) / std::pow(10000.0, 2.0 * i / 8.0);
      EXPECT_NEAR(table[p][2 * i].item<float>(), std::sin(angle), 1e-6);
      EXPECT_NEAR(table[p][2 * i + 1].item<float>(), std::cos(angle), 1e-6);
    }
  }
}

TEST(Positions, TablesAreNotSaved) {
  for (auto position : {PositionKind::kRope, PositionKind::kSinusoidal, PositionKind::kAlibi}) {
    Transformer model(tiny_options().position(position));
    model(random_ids(1, 4, 50));
    EXPECT_EQ(model->named_buffers().size(), 0u);
    for (const auto& item : model->named_parameters()) EXPECT_FALSE(item.key().starts_with("pos_embeddings"));
  }
}

}  // namespace
}  // namespace ropelm
