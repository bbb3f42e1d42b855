// Export: the HF-layout forward of modeling_llama on the exported tensors and config.json equals
// Transformer::forward (half, interleaved, GQA, tied, untied, scaled RoPE); config.json fields; refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hf_llama_reference.h"
#include "interop/hf_config.h"
#include "interop/hf_export.h"
#include "interop_test_util.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

using ::testing::HasSubstr;

struct ForwardCase {
  std::string name;
  TransformerOptions options;
};

// Names the case in test output instead of dumping the bytes of its options.
void PrintTo(const ForwardCase& forward_case, std::ostream* out) {
  *out << forward_case.name;
}

class HfReferenceForward : public ::testing::TestWithParam<ForwardCase> {};

TEST_P(HfReferenceForward, MatchesTransformerForward) {
  Transformer model = random_model(GetParam().options);
  auto config = hf_config_json(model->options(), {}, 16);
  auto ids = torch::randint(model->options().vocab_size(), {2, 16}, torch::kLong);
  torch::NoGradGuard no_grad;
  auto expected = model->forward(ids);
  auto actual = hf_llama::logits(config, by_name(hf_model_tensors(model)), ids);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  double scale = expected.abs().max().item<double>();
  EXPECT_GT(scale, 1.0);  // random weights give logits that a layout error would visibly change
  EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5 * scale);
}

std::vector<ForwardCase> forward_cases() {
  auto base = small_options();
  return {
      {"HalfTied", base},
      {"InterleavedUntied", small_options().rope_style(RopeStyle::kInterleaved).tie_embeddings(false)},
      {"GqaHalfUntied", small_options().n_kv_heads(2).tie_embeddings(false)},
      {"GqaInterleavedTied", small_options().n_kv_heads(1).rope_style(RopeStyle::kInterleaved)},
      {"LinearScaling", small_options().rope_scaling(RopeScaling::kLinear).rope_scaling_factor(4)},
      {"NtkScaling", small_options().rope_scaling(RopeScaling::kNTK).rope_scaling_factor(4).rope_theta(500)},
  };
}

INSTANTIATE_TEST_SUITE_P(Layouts, HfReferenceForward, ::testing::ValuesIn(forward_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(HfConfig, FieldsDescribeTheModel) {
  auto options = small_options().n_kv_heads(2).tie_embeddings(false).norm_eps(1e-6).rope_theta(5e5);
  auto json = hf_config_json(options, {.bos = 2, .eos = 3, .pad = 0}, 128);
  EXPECT_EQ(json["architectures"], nlohmann::json::array({"LlamaForCausalLM"}));
  EXPECT_EQ(json["model_type"], "llama");
  EXPECT_EQ(json["vocab_size"], 50);  // the real vocabulary, not the padded 64
  EXPECT_EQ(json["hidden_size"], 32);
  EXPECT_EQ(json["intermediate_size"], 128);  // 8/3 · 32 rounded up to 64
  EXPECT_EQ(json["num_hidden_layers"], 2);
  EXPECT_EQ(json["num_attention_heads"], 4);
  EXPECT_EQ(json["num_key_value_heads"], 2);
  EXPECT_EQ(json["head_dim"], 8);
  EXPECT_EQ(json["max_position_embeddings"], 128);
  EXPECT_EQ(json["rms_norm_eps"], 1e-6);
  EXPECT_EQ(json["rope_theta"], 5e5);
  EXPECT_TRUE(json["rope_scaling"].is_null());
  EXPECT_EQ(json["tie_word_embeddings"], false);
  EXPECT_EQ(json["bos_token_id"], 2);
  EXPECT_EQ(json["eos_token_id"], 3);
  EXPECT_EQ(json["pad_token_id"], 0);
  EXPECT_EQ(json["torch_dtype"], "float32");
  EXPECT_EQ(json["hidden_act"], "silu");
  EXPECT_EQ(json["attention_bias"], false);
  EXPECT_EQ(json["mlp_bias"], false);
}

TEST(HfConfig, ScalingSpellings) {
  auto linear =
      hf_config_json(small_options().rope_scaling(RopeScaling::kLinear).rope_scaling_factor(2), {}, 16);
  EXPECT_EQ(linear["rope_scaling"], nlohmann::json({{"rope_type", "linear"}, {"factor", 2.0}}));
  EXPECT_EQ(linear["rope_theta"], 10000.0);
  // NTK-aware: plain RoPE with the base theta · factor^(d / (d - 2)), d = head_dim = 8.
  auto ntk = hf_config_json(small_options().rope_scaling(RopeScaling::kNTK).rope_scaling_factor(2), {}, 16);
  EXPECT_TRUE(ntk["rope_scaling"].is_null());
  EXPECT_DOUBLE_EQ(ntk["rope_theta"].get<double>(), 10000.0 * std::pow(2.0, 8.0 / 6.0));
}

TEST(HfExport, TensorShapesUseTheRealVocabulary) {
  auto tensors = by_name(hf_model_tensors(random_model(small_options().tie_embeddings(false))));
  EXPECT_EQ(tensors.at("model.embed_tokens.weight").sizes(), torch::IntArrayRef({50, 32}));
  EXPECT_EQ(tensors.at("lm_head.weight").sizes(), torch::IntArrayRef({50, 32}));
  EXPECT_EQ(tensors.at("model.layers.1.self_attn.q_proj.weight").sizes(), torch::IntArrayRef({32, 32}));
  EXPECT_EQ(tensors.at("model.layers.1.mlp.gate_proj.weight").sizes(), torch::IntArrayRef({128, 32}));
  EXPECT_EQ(tensors.size(), 3 + 2 * 9u);  // embedding, norm, head; 9 per layer
}

TEST(HfExport, RefusesWhatHfLlamaCannotRepresent) {
  auto refusal = [](const TransformerOptions& options) {
    try {
      hf_model_tensors(Transformer(options));
    } catch (const UserError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(refusal(small_options().norm(NormKind::kLayerNorm)),
              HasSubstr("model.norm = layernorm: HF Llama uses RMSNorm; export supports rmsnorm only"));
  EXPECT_THAT(refusal(small_options().mlp(MlpKind::kGELU)), HasSubstr("model.mlp = gelu"));
  EXPECT_THAT(refusal(small_options().bias(true)), HasSubstr("model.bias = true"));
  for (auto position : {PositionKind::kLearned, PositionKind::kSinusoidal, PositionKind::kNone})
    EXPECT_THAT(refusal(small_options().position(position)), HasSubstr("model.position"));
}

}  // namespace
}  // namespace ropelm::testing
