// The ropelm ↔ HF tensor mapping: the RoPE row permutation by index, round trips, and the errors it names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "interop/hf_tensor_names.h"
#include "interop_test_util.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

using ::testing::HasSubstr;

std::map<std::string, torch::Tensor> parameters(const Transformer& model) {
  std::map<std::string, torch::Tensor> named;
  for (const auto& item : model->named_parameters()) named[item.key()] = item.value().detach();
  return named;
}

std::string import_error(const TransformerOptions& options, const std::map<std::string, torch::Tensor>& hf) {
  try {
    from_hf_tensors(options, hf);
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

TEST(HfRopeRows, InterleavedPairsBecomeHalves) {
  // Two heads of 4 rows: interleaved pairs (0,1) (2,3) in each head become half-layout rows (0,2) and (1,3).
  auto rows = torch::arange(8, torch::kFloat).unsqueeze(1);
  auto half = interleaved_to_half_rows(rows, 2).flatten();
  EXPECT_TRUE(torch::equal(half, torch::tensor({0, 2, 1, 3, 4, 6, 5, 7}, torch::kFloat)));
  EXPECT_TRUE(torch::equal(half_to_interleaved_rows(interleaved_to_half_rows(rows, 2), 2), rows));
}

TEST(HfTensorNames, RoundTripRestoresEveryParameter) {
  for (auto options : {small_options(), small_options().rope_style(RopeStyle::kInterleaved).n_kv_heads(2),
                       small_options().tie_embeddings(false)}) {
    auto original = parameters(random_model(options));
    auto restored = by_name(from_hf_tensors(options, by_name(to_hf_tensors(options, original))));
    ASSERT_EQ(restored.size(), original.size());
    for (const auto& [name, tensor] : original) {
      bool vocab = name == "tok_embeddings.weight" || name == "lm_head.weight";
      auto kept = vocab ? tensor.narrow(0, 0, options.vocab_size()) : tensor;
      EXPECT_TRUE(torch::equal(restored.at(name).narrow(0, 0, kept.size(0)), kept)) << name;
      EXPECT_EQ(restored.at(name).sizes(), tensor.sizes()) << name;
    }
    // Padding rows are never read (no token has their id): imported as zeros.
    EXPECT_EQ(restored.at("tok_embeddings.weight").narrow(0, 50, 14).abs().sum().item<double>(), 0.0);
  }
}

TEST(HfTensorNames, HalfLayoutCopiesQkvRowsUnchanged) {
  auto options = small_options().n_kv_heads(2);
  auto ours = parameters(random_model(options));
  auto hf = by_name(to_hf_tensors(options, ours));
  auto qkv = ours.at("blocks.0.attn.qkv.weight");  // rows [q 32 | k 16 | v 16]
  EXPECT_TRUE(torch::equal(hf.at("model.layers.0.self_attn.q_proj.weight"), qkv.narrow(0, 0, 32)));
  EXPECT_TRUE(torch::equal(hf.at("model.layers.0.self_attn.k_proj.weight"), qkv.narrow(0, 32, 16)));
  EXPECT_TRUE(torch::equal(hf.at("model.layers.0.self_attn.v_proj.weight"), qkv.narrow(0, 48, 16)));
  auto gate_up = ours.at("blocks.0.mlp.gate_up.weight");
  EXPECT_TRUE(torch::equal(hf.at("model.layers.0.mlp.up_proj.weight"), gate_up.narrow(0, 128, 128)));
}

TEST(HfTensorNames, ImportNamesMissingUnknownAndMisshapenTensors) {
  auto options = small_options();
  auto hf = by_name(to_hf_tensors(options, parameters(random_model(options))));
  auto missing = hf;
  missing.erase("model.layers.1.mlp.down_proj.weight");
  EXPECT_THAT(import_error(options, missing), HasSubstr("no tensor 'model.layers.1.mlp.down_proj.weight'"));
  auto unknown = hf;
  unknown["model.layers.0.self_attn.q_proj.bias"] = torch::zeros({32});
  EXPECT_THAT(import_error(options, unknown),
              HasSubstr("'model.layers.0.self_attn.q_proj.bias' has no place"));
  auto misshapen = hf;
  misshapen["model.layers.0.self_attn.k_proj.weight"] = torch::zeros({16, 32});
  EXPECT_THAT(import_error(options, misshapen), HasSubstr("k_proj.weight' has shape [16, 32]"));
  // An old transformers' RoPE cache and a tied model's duplicate head are ignored, as transformers does.
  auto extras = hf;
  extras["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch::zeros({4});
  extras["lm_head.weight"] = hf.at("model.embed_tokens.weight");
  EXPECT_EQ(import_error(options, extras), "no error");
}

}  // namespace
}  // namespace ropelm::testing
