// ALiBi (Press et al. 2022): the head slopes against the paper's reference code, the bias against its
// definition, one attention layer against an explicit float64 loop, and the model's extrapolation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "model/alibi.h"
#include "model/attention.h"
#include "model/transformer.h"
#include "model_test_util.h"

namespace ropelm {
namespace {

using testing::random_ids;
using testing::tiny_options;

// get_slopes(n) of the paper's reference code (github.com/ofirpress/attention_with_linear_biases,
// fairseq/models/transformer.py), printed by Python for n = 1..16: powers of two and, for the others, the
// interleaving of the next power of two's slopes. Its repeated multiplication (start * ratio**i) rounds in
// the last bits where exp2 does not (0.5000000000000001; 16 products drift by about 1e-15 relative).
const std::vector<std::vector<double>> kReferenceSlopes = {
    {0.00390625},
    {0.0625, 0.00390625},
    {0.0625, 0.00390625, 0.25},
    {0.25, 0.0625, 0.015625, 0.00390625},
    {0.25, 0.0625, 0.015625, 0.00390625, 0.5},
    {0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125},
    {0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125, 0.03125},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476,
     0.35355339059327384},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476,
     0.35355339059327384, 0.17677669529663692},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476,
     0.35355339059327384, 0.17677669529663692, 0.08838834764831849},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476,
     0.35355339059327384, 0.17677669529663692, 0.08838834764831849, 0.044194173824159244},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476,
     0.35355339059327384, 0.17677669529663692, 0.08838834764831849, 0.044194173824159244,
     0.022097086912079626},
    {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071067811865476,
     0.35355339059327384, 0.17677669529663692, 0.08838834764831849, 0.044194173824159244,
     0.022097086912079626, 0.011048543456039816},
    {0.7071067811865476, 0.5000000000000001, 0.35355339059327384, 0.25000000000000006, 0.17677669529663692,
     0.12500000000000006, 0.08838834764831849, 0.06250000000000004, 0.044194173824159244, 0.03125000000000002,
     0.022097086912079626, 0.01562500000000001, 0.011048543456039816, 0.007812500000000007,
     0.005524271728019908, 0.003906250000000004},
};

TEST(Alibi, SlopesMatchThePapersReferenceCode) {
  for (size_t n = 1; n <= kReferenceSlopes.size(); ++n) {
    std::vector<double> slopes = alibi_slopes(static_cast<int64_t>(n));
    const std::vector<double>& expected = kReferenceSlopes[n - 1];
    ASSERT_EQ(slopes.size(), expected.size()) << n << " heads";
    for (size_t h = 0; h < n; ++h) EXPECT_NEAR(slopes[h], expected[h], 1e-14 * expected[h]) << n << " heads";
  }
}

// bias[h][i][j] = −m_h · (offset + i − j) for keys up to the query's position, −inf after it.
TEST(Alibi, BiasIsMinusSlopeTimesDistanceAndMasksTheFuture) {
  const int64_t heads = 3, offset = 2, T = 4;
  AlibiBias alibi(heads);
  auto bias = alibi.bias(offset, T, torch::kCPU);
  ASSERT_EQ(bias.sizes(), (std::vector<int64_t>{heads, T, offset + T}));
  EXPECT_EQ(bias.scalar_type(), torch::kFloat);
  for (int64_t h = 0; h < heads; ++h) {
    for (int64_t i = 0; i < T; ++i) {
      for (int64_t j = 0; j < offset + T; ++j) {
        const float value = bias[h][i][j].item<float>();
        if (j > offset + i) {
          EXPECT_EQ(value, -std::numeric_limits<float>::infinity());
        } else {
          EXPECT_FLOAT_EQ(value,
                          static_cast<float>(-alibi.slopes()[h] * static_cast<double>(offset + i - j)));
        }
      }
    }
  }
}

// One attention layer, explicit kernel, against softmax(q kᵀ/√hs − m (i − j)) v computed element by element
// in float64, with grouped-query heads (4 query heads share 2 key/value heads).
TEST(Alibi, AttentionMatchesAnExplicitLoop) {
  torch::manual_seed(21);
  auto options =
      tiny_options().position(PositionKind::kAlibi).n_kv_heads(2).attention(AttentionKind::kExplicit);
  CausalSelfAttention attention(options, 0);
  attention->eval();
  torch::NoGradGuard no_grad;
  const int64_t T = 7, nh = 4, hs = 8;
  auto x = torch::randn({1, T, 32});
  AlibiBias alibi(nh);
  AttentionContext context;
  context.bias = alibi.bias(0, T, torch::kCPU);
  auto y = attention(x, context);

  auto qkv =
      torch::nn::functional::linear(x.to(torch::kDouble), attention->qkv->weight.to(torch::kDouble))[0];
  // qkv rows: [4 q heads | 2 k heads | 2 v heads] of hs each.
  auto q = qkv.narrow(1, 0, nh * hs), k = qkv.narrow(1, nh * hs, 2 * hs),
       v = qkv.narrow(1, (nh + 2) * hs, 2 * hs);
  auto heads_out = torch::zeros({T, nh * hs}, torch::kDouble);
  for (int64_t h = 0; h < nh; ++h) {
    const int64_t g = h / 2;  // the shared key/value head
    for (int64_t i = 0; i < T; ++i) {
      std::vector<double> scores;
      double top = -1e300;
      for (int64_t j = 0; j <= i; ++j) {
        double s = (q[i].narrow(0, h * hs, hs) * k[j].narrow(0, g * hs, hs)).sum().item<double>() /
                   std::sqrt(static_cast<double>(hs));
        s -= alibi.slopes()[h] * static_cast<double>(i - j);
        scores.push_back(s);
        top = std::max(top, s);
      }
      double total = 0;
      for (double& s : scores) total += (s = std::exp(s - top));
      auto row = torch::zeros({hs}, torch::kDouble);
      for (int64_t j = 0; j <= i; ++j) row += scores[j] / total * v[j].narrow(0, g * hs, hs);
      heads_out[i].narrow(0, h * hs, hs).copy_(row);
    }
  }
  auto expected = torch::nn::functional::linear(heads_out, attention->out->weight.to(torch::kDouble));
  EXPECT_LT((y[0].to(torch::kDouble) - expected).abs().max().item<double>(), 1e-6);
}

// ALiBi adds nothing to the weights (the same parameters as no position encoding) and no length limit.
TEST(Alibi, HasNoParametersOfItsOwn) {
  Transformer alibi(tiny_options().position(PositionKind::kAlibi));
  Transformer none(tiny_options().position(PositionKind::kNone));
  auto a = alibi->named_parameters(), b = none->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& item : a) EXPECT_EQ(item.value().sizes(), b[item.key()].sizes()) << item.key();
  EXPECT_EQ(alibi->named_buffers().size(), 0u);
  EXPECT_EQ(alibi->max_positions(), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace ropelm
