// The two attention kernels agree: at::scaled_dot_product_attention (LibTorch >= 2.0) against the explicit
// masked softmax, in outputs and in every parameter's gradient, causal from position 0 and through a KV cache
// (queries that start after a cached prefix), with and without grouped-query heads, with RoPE and with
// ALiBi's bias (a float mask for SDPA); fp32 within 1e-5. On LibTorch 1.x, which has no SDPA, the pairs are
// not instantiated, and what runs instead checks that the build chooses the explicit kernel and refuses sdpa.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/kv_cache.h"
#include "model/transformer.h"
#include "model_test_util.h"
#include "util/error.h"
#include "util/libtorch_features.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using testing::random_ids;
using ::testing::ThrowsMessage;
using testing::tiny_options;

// Two models with the same weights, one per kernel.
struct KernelPair {
  Transformer sdpa{nullptr};
  Transformer explicit_softmax{nullptr};
};

KernelPair make_pair(int64_t kv_heads, PositionKind position) {
  auto options = tiny_options().n_kv_heads(kv_heads).position(position);
  KernelPair pair{Transformer(TransformerOptions(options).attention(AttentionKind::kSdpa)),
                  Transformer(TransformerOptions(options).attention(AttentionKind::kExplicit))};
  torch::NoGradGuard no_grad;
  auto from = pair.sdpa->parameters(), to = pair.explicit_softmax->parameters();
  for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  return pair;
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5))
      << what << ": largest difference " << (a - b).abs().max().item<double>();
}

// (key/value heads, position encoding): ALiBi goes through SDPA as a float mask, RoPE through is_causal or a
// boolean mask.
class AttentionKernels : public ::testing::TestWithParam<std::tuple<int64_t, PositionKind>> {
 protected:
  void SetUp() override { torch::manual_seed(7); }
};

// auto takes SDPA exactly where this LibTorch has it; elsewhere asking for sdpa is a one-line error naming
// the key.
TEST(AttentionKernelChoice, SdpaExactlyWhereThisLibTorchHasIt) {
  EXPECT_EQ(uses_sdpa(AttentionKind::kAuto), kHasSdpa);
  EXPECT_TRUE(uses_sdpa(AttentionKind::kSdpa));
  EXPECT_FALSE(uses_sdpa(AttentionKind::kExplicit));
  auto sdpa = TransformerOptions(tiny_options()).attention(AttentionKind::kSdpa);
  if (kHasSdpa) {
    EXPECT_NO_THROW(Transformer{sdpa});
  } else {
    EXPECT_THAT([&] { Transformer{sdpa}; },
                ThrowsMessage<UserError>(HasSubstr("model.attention = sdpa needs LibTorch >= 2.0")));
  }
}

TEST_P(AttentionKernels, CausalOutputsAndGradientsMatch) {
  KernelPair pair = make_pair(std::get<0>(GetParam()), std::get<1>(GetParam()));
  auto ids = random_ids(2, 20, 50);
  auto targets = random_ids(2, 20, 50);
  auto loss_of = [&](Transformer& model) {
    auto logits = model(ids);
    return std::make_pair(
        logits, torch::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1})));
  };
  auto [sdpa_logits, sdpa_loss] = loss_of(pair.sdpa);
  auto [explicit_logits, explicit_loss] = loss_of(pair.explicit_softmax);
  expect_close(sdpa_logits, explicit_logits, "logits");
  sdpa_loss.backward();
  explicit_loss.backward();
  auto sdpa_named = pair.sdpa->named_parameters(), explicit_named = pair.explicit_softmax->named_parameters();
  for (const auto& item : sdpa_named) {
    expect_close(item.value().grad(), explicit_named[item.key()].grad(), "gradient of " + item.key());
  }
}

TEST_P(AttentionKernels, KVCacheOutputsMatch) {
  KernelPair pair = make_pair(std::get<0>(GetParam()), std::get<1>(GetParam()));
  pair.sdpa->eval();
  pair.explicit_softmax->eval();
  torch::NoGradGuard no_grad;
  auto ids = random_ids(2, 16, 50);
  // A prompt, single tokens and a chunk that starts after a cached prefix (the case is_causal cannot
  // express).
  const std::vector<std::pair<int64_t, int64_t>> spans = {{0, 5}, {5, 1}, {6, 4}, {10, 1}, {11, 5}};
  KVCache sdpa_cache(16), explicit_cache(16);
  for (auto [start, length] : spans) {
    auto piece = ids.narrow(1, start, length);
    expect_close(pair.sdpa(piece, &sdpa_cache), pair.explicit_softmax(piece, &explicit_cache),
                 "logits of positions " + std::to_string(start) + "+" + std::to_string(length));
  }
}

// No pairs where this LibTorch has no SDPA (AttentionKernelChoice covers that build).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AttentionKernels);
INSTANTIATE_TEST_SUITE_P(
    KvHeads, AttentionKernels,
    ::testing::Combine(::testing::ValuesIn(kHasSdpa ? std::vector<int64_t>{4, 2, 1} : std::vector<int64_t>{}),
                       ::testing::Values(PositionKind::kRope, PositionKind::kAlibi)),
    [](const auto& info) {
      return std::string(std::get<1>(info.param) == PositionKind::kAlibi ? "alibi" : "rope") + "_kv_heads_" +
             std::to_string(std::get<0>(info.param));
    });

}  // namespace
}  // namespace ropelm
