// The Transformer: option checks, parameter names and counts, causality, attention paths, KV cache, padded
// vocab.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "model/lm_loss.h"
#include "model/model_stats.h"
#include "model/transformer.h"
#include "model_test_util.h"
#include "util/error.h"
#include "util/libtorch_features.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using testing::random_ids;
using testing::tiny_options;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const UserError& error) {
    return error.what();
  }
  return "no UserError";
}

TEST(Options, ErrorsNameTheKey) {
  ModelConfig config;
  config.n_heads = 5;
  EXPECT_EQ(error_of([&] { from_config(config, 100, 128); }),
            "model.n_heads = 5 does not divide model.d_model = 256");
  config = ModelConfig();
  config.n_kv_heads = 3;
  EXPECT_EQ(error_of([&] { from_config(config, 100, 128); }),
            "model.n_kv_heads = 3 does not divide model.n_heads = 4");
  EXPECT_THAT(error_of([&] { Transformer(tiny_options().d_model(30).n_heads(6)); }),
              HasSubstr("model.position = rope needs an even head size"));
}

TEST(Options, FromConfigResolvesDefaults) {
  ModelConfig config;
  config.position = PositionKind::kLearned;
  auto options = from_config(config, 1000, 128);
  EXPECT_EQ(options.max_seq_len(), 128);
  EXPECT_EQ(options.kv_heads(), 4);
  EXPECT_EQ(options.mlp_hidden_size(), 704);  // 8/3 · 256 = 682.7 → 704
  EXPECT_EQ(options.padded_vocab_size(), 1024);
  EXPECT_EQ(options.position(), PositionKind::kLearned);
}

TEST(Options, SdpaNeedsLibTorch2) {
  ModelConfig config;
  config.attention = AttentionKind::kSdpa;
  if (kHasSdpa) {
    EXPECT_EQ(from_config(config, 100, 128).attention(), AttentionKind::kSdpa);
  } else {
    EXPECT_THAT(error_of([&] { from_config(config, 100, 128); }),
                HasSubstr("model.attention = sdpa needs LibTorch"));
  }
}

TEST(Parameters, NamesAreHierarchicalAndUnique) {
  for (bool tie : {true, false}) {
    Transformer model(tiny_options().tie_embeddings(tie).n_layers(1));
    std::set<std::string> names;
    std::set<const void*> storages;
    for (const auto& item : model->named_parameters()) {
      names.insert(item.key());
      storages.insert(item.value().data_ptr());
    }
    std::set<std::string> expected = {"tok_embeddings.weight",    "blocks.0.attn_norm.weight",
                                      "blocks.0.attn.qkv.weight", "blocks.0.attn.out.weight",
                                      "blocks.0.mlp_norm.weight", "blocks.0.mlp.gate_up.weight",
                                      "blocks.0.mlp.down.weight", "norm.weight"};
    if (!tie) expected.insert("lm_head.weight");
    EXPECT_EQ(names, expected);
    EXPECT_EQ(storages.size(), model->parameters().size());
  }
}

TEST(Parameters, InitIsDeterministicAndScalesResidualProjections) {
  auto options = tiny_options().d_model(128).n_heads(4).n_layers(8);
  torch::manual_seed(5);
  Transformer a(options);
  torch::manual_seed(5);
  Transformer b(options);
  for (const auto& item : a->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), b->named_parameters()[item.key()])) << item.key();
  }
  const double residual_std = 0.02 / std::sqrt(16.0);
  EXPECT_NEAR(a->named_parameters()["blocks.3.attn.out.weight"].std().item<double>(), residual_std,
              0.05 * residual_std);
  EXPECT_NEAR(a->named_parameters()["blocks.3.attn.qkv.weight"].std().item<double>(), 0.02, 0.05 * 0.02);
}

// Closed form: embedding table + per block (2 norms, attention, MLP) + final norm (+ untied head, learned
// positions).
int64_t expected_parameters(const TransformerOptions& o) {
  const int64_t d = o.d_model(), hs = o.head_dim(), h = o.mlp_hidden_size(), bias = o.bias() ? 1 : 0;
  const int64_t qkv_width = (o.n_heads() + 2 * o.kv_heads()) * hs;
  const int64_t norm = o.norm() == NormKind::kLayerNorm && o.bias() ? 2 * d : d;
  const int64_t attention = d * qkv_width + bias * qkv_width + o.n_heads() * hs * d + bias * d;
  const int64_t mlp =
      o.mlp() == MlpKind::kSwiGLU ? 3 * d * h + bias * (2 * h + d) : 2 * d * h + bias * (h + d);
  int64_t total = o.padded_vocab_size() * d + o.n_layers() * (2 * norm + attention + mlp) + norm;
  if (!o.tie_embeddings()) total += o.padded_vocab_size() * d;
  if (o.position() == PositionKind::kLearned) total += o.max_seq_len() * d;
  return total;
}

TEST(Parameters, CountsMatchClosedForm) {
  std::vector<TransformerOptions> configs = {
      tiny_options(),
      tiny_options().tie_embeddings(false).mlp(MlpKind::kGELU),
      tiny_options().n_kv_heads(1).mlp_hidden(80),
      tiny_options().bias(true).norm(NormKind::kLayerNorm).position(PositionKind::kLearned),
      tiny_options().bias(true).mlp(MlpKind::kGELU).n_kv_heads(2).tie_embeddings(false),
  };
  for (const auto& options : configs) {
    Transformer model(options);
    auto counts = count_parameters(*model);
    EXPECT_EQ(counts.total, expected_parameters(options));
    const int64_t positions = options.position() == PositionKind::kLearned ? options.max_seq_len() : 0;
    EXPECT_EQ(counts.embedding, (options.padded_vocab_size() + positions) * options.d_model());
    EXPECT_EQ(counts.non_embedding, counts.total - counts.embedding);
  }
}

TEST(Parameters, TrainingFlopsFollowPalmFormula) {
  // d 32, 2 layers, 4 heads, swiglu h = 64, vocab 50: per block qkv 32·96 + out 32·32 + mlp 3·32·64 = 10240.
  Transformer model(tiny_options().bias(true).mlp_hidden(64));
  const int64_t n_matmul = 2 * 10240 + 32 * 50;
  EXPECT_EQ(matmul_parameters(*model), n_matmul);
  EXPECT_DOUBLE_EQ(training_flops_per_token(*model, 64), 6.0 * n_matmul + 12.0 * 2 * 32 * 64);
}

// Changing the token at position t must leave every logit before t bit-identical.
TEST(Forward, IsCausal) {
  torch::set_num_threads(1);
  torch::manual_seed(6);
  for (auto position :
       {PositionKind::kRope, PositionKind::kLearned, PositionKind::kSinusoidal, PositionKind::kAlibi}) {
    for (auto attention : {AttentionKind::kAuto, AttentionKind::kExplicit}) {
      Transformer model(tiny_options().position(position).attention(attention));
      model->eval();
      torch::NoGradGuard no_grad;
      auto ids = random_ids(2, 16, 50);
      auto changed = ids.clone();
      const int64_t t = 9;
      changed.index_put_({torch::indexing::Slice(), t}, (ids.index({torch::indexing::Slice(), t}) + 1) % 50);
      auto before = model(ids), after = model(changed);
      EXPECT_TRUE(torch::equal(before.narrow(1, 0, t), after.narrow(1, 0, t)));
      EXPECT_FALSE(torch::allclose(before.narrow(1, t, 1), after.narrow(1, t, 1)));
    }
  }
}

// Feeding the sequence piecewise through a KV cache (a prompt, single tokens, a chunk) gives the full logits,
// for every position encoding (YaRN-scaled RoPE as well: its tables are cached like plain ones).
TEST(Forward, KVCacheMatchesFullForward) {
  torch::manual_seed(8);
  auto yarn = tiny_options().rope_scaling(RopeScaling::kYarn).rope_scaling_factor(4).original_context(4);
  for (auto base :
       {tiny_options().position(PositionKind::kRope), tiny_options().position(PositionKind::kLearned),
        tiny_options().position(PositionKind::kSinusoidal), tiny_options().position(PositionKind::kAlibi),
        yarn}) {
    for (auto attention : {AttentionKind::kAuto, AttentionKind::kExplicit}) {
      for (int64_t kv_heads : {4, 2, 1}) {
        Transformer model(TransformerOptions(base).attention(attention).n_kv_heads(kv_heads));
        model->eval();
        torch::NoGradGuard no_grad;
        auto ids = random_ids(2, 16, 50);
        auto full = model(ids);
        KVCache cache(16);
        std::vector<torch::Tensor> pieces;
        const std::vector<std::pair<int64_t, int64_t>> spans = {{0, 5}, {5, 1},  {6, 1},
                                                                {7, 4}, {11, 1}, {12, 4}};
        for (auto [start, length] : spans) pieces.push_back(model(ids.narrow(1, start, length), &cache));
        EXPECT_EQ(cache.length(), 16);
        EXPECT_TRUE(torch::allclose(torch::cat(pieces, 1), full, 1e-5, 1e-5));
      }
    }
  }
}

TEST(Forward, KVCacheRefusesOverflow) {
  Transformer model(tiny_options());
  torch::NoGradGuard no_grad;
  KVCache cache(4);
  model(random_ids(1, 3, 50), &cache);
  EXPECT_THAT(error_of([&] { model(random_ids(1, 2, 50), &cache); }),
              HasSubstr("KV cache holds 4 positions"));
}

// The head uses only the real rows: padded rows, however large, change nothing and get no gradient.
TEST(Forward, PaddedVocabularyNeverGetsProbability) {
  torch::manual_seed(9);
  for (bool tie : {true, false}) {
    Transformer model(tiny_options(50).tie_embeddings(tie));
    EXPECT_EQ(model->head_weight().size(0), 64);
    auto ids = random_ids(2, 8, 50);
    auto before = model(ids);
    {
      torch::NoGradGuard no_grad;
      (tie ? model->tok_embeddings->weight : model->lm_head->weight).narrow(0, 50, 14).fill_(1e4);
    }
    auto logits = model(ids);
    EXPECT_EQ(logits.size(-1), 50);
    EXPECT_TRUE(torch::allclose(logits, before));
    EXPECT_TRUE(torch::allclose(logits.softmax(-1).sum(-1), torch::ones({2, 8})));
    auto nll = token_nll(logits, random_ids(2, 8, 50));
    nll.sum.backward();
    EXPECT_TRUE(torch::equal(model->head_weight().grad().narrow(0, 50, 14), torch::zeros({14, 32})));
  }
}

TEST(Loss, TokenNllMatchesExplicitSum) {
  torch::manual_seed(10);
  auto logits = torch::randn({2, 3, 7});
  auto targets = torch::tensor({{1, 6, -100}, {0, -100, 3}}, torch::kLong);
  auto nll = token_nll(logits, targets);
  double expected = 0;
  int64_t count = 0;
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t t = 0; t < 3; ++t) {
      const int64_t target = targets[b][t].item<int64_t>();
      if (target == -100) continue;
      auto row = logits[b][t];
      expected += (row.exp().sum().log() - row[target]).item<double>();
      ++count;
    }
  }
  EXPECT_NEAR(nll.sum.item<double>(), expected, 1e-5);
  EXPECT_EQ(nll.count.item<int64_t>(), count);
}

}  // namespace
}  // namespace ropelm
