// The llama GGUF of a model: llama.cpp's forward (gguf_llama_reference.h, adjacent-pairs RoPE on the exported
// q/k rows) equals Transformer::forward for every RoPE layout, GQA, tied and untied heads and scaled RoPE;
// the f32 tensors and the config read back exactly; F16/BF16/Q8_0 stay within their rounding; refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gguf_llama_reference.h"
#include "interop/gguf_export.h"
#include "interop/gguf_llama.h"
#include "interop/hf_config.h"
#include "interop/hf_export.h"
#include "interop_test_util.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

using ::testing::HasSubstr;

struct LlamaCase {
  std::string name;
  TransformerOptions options;
};

void PrintTo(const LlamaCase& llama_case, std::ostream* out) {
  *out << llama_case.name;
}

// The model's GGUF (metadata and tensors, no tokenizer), written to disk and read back.
GgufFile round_trip(const Transformer& model, GgmlType dtype, const TempDir& dir) {
  auto config = hf_config_json(model->options(), {}, 16);
  GgufFile file;
  add_llama_metadata(file, config, "test", dtype);
  file.tensors = llama_gguf_tensors(hf_model_tensors(model), config, dtype);
  write_gguf(dir / "model.gguf", file);
  return read_gguf(dir / "model.gguf");
}

class GgufLlamaForward : public ::testing::TestWithParam<LlamaCase> {};

TEST_P(GgufLlamaForward, LlamaCppGraphMatchesTransformerForward) {
  TempDir dir;
  Transformer model = random_model(GetParam().options);
  GgufFile file = round_trip(model, GgmlType::kF32, dir);
  auto ids = torch::randint(model->options().vocab_size(), {2, 16}, torch::kLong);
  torch::NoGradGuard no_grad;
  auto expected = model->forward(ids).narrow(-1, 0, model->options().vocab_size());
  auto actual = gguf_llama::logits(gguf_llama::load(file), ids);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double scale = expected.abs().max().item<double>();
  EXPECT_GT(scale, 1.0);
  EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5 * scale);
}

TEST_P(GgufLlamaForward, F32TensorsAndConfigReadBackExactly) {
  TempDir dir;
  Transformer model = random_model(GetParam().options);
  const auto config = hf_config_json(model->options(), {}, 16);
  GgufFile file = round_trip(model, GgmlType::kF32, dir);
  nlohmann::json back = hf_config_from_gguf(file);
  for (const char* key :
       {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "num_key_value_heads", "head_dim", "max_position_embeddings", "rope_scaling", "tie_word_embeddings"})
    EXPECT_EQ(back.at(key), config.at(key)) << key;
  // GGUF stores these as float32 (as llama.cpp reads them): equal at that precision.
  for (const char* key : {"rms_norm_eps", "rope_theta"})
    EXPECT_EQ(back.at(key).get<float>(), config.at(key).get<float>()) << key;
  auto original = by_name(hf_model_tensors(model));
  NamedTensors tensors = hf_tensors_from_gguf(file, back);
  ASSERT_EQ(tensors.size(), original.size());
  for (const auto& [name, tensor] : tensors) EXPECT_TRUE(tensor.equal(original.at(name))) << name;
}

INSTANTIATE_TEST_SUITE_P(
    Variants, GgufLlamaForward,
    ::testing::Values(
        LlamaCase{"half", small_options()},
        LlamaCase{"interleaved", small_options().rope_style(RopeStyle::kInterleaved)},
        LlamaCase{"gqa_untied", small_options().n_kv_heads(2).tie_embeddings(false)},
        LlamaCase{"linear", small_options().rope_scaling(RopeScaling::kLinear).rope_scaling_factor(4)},
        LlamaCase{"ntk", small_options().rope_scaling(RopeScaling::kNTK).rope_scaling_factor(2)}),
    [](const auto& info) { return info.param.name; });

TEST(GgufLlama, NamesFollowLlamaCpp) {
  TempDir dir;
  GgufFile file = round_trip(random_model(small_options().tie_embeddings(false)), GgmlType::kF32, dir);
  std::vector<std::string> names;
  for (const auto& tensor : file.tensors) names.push_back(tensor.name);
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"token_embd.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight",
                          "blk.1.attn_k.weight", "blk.1.attn_v.weight", "blk.0.attn_output.weight",
                          "blk.0.ffn_norm.weight", "blk.0.ffn_gate.weight", "blk.1.ffn_up.weight",
                          "blk.1.ffn_down.weight", "output_norm.weight", "output.weight"}));
  EXPECT_EQ(names.size(), 2 + 2 * 9 + 1u);
  EXPECT_EQ(file.find_tensor("token_embd.weight")->dims, (std::vector<uint64_t>{32, 50}));  // the real vocab
  EXPECT_EQ(*gguf_string(file, "general.architecture", true), "llama");
  EXPECT_EQ(*gguf_uint(file, "llama.context_length", true), 16u);
  EXPECT_EQ(*gguf_uint(file, "llama.rope.dimension_count", true), 8u);
  EXPECT_EQ(*gguf_uint(file, "llama.feed_forward_length", true), 128u);
}

TEST(GgufLlama, HalfBfloatAndQ8_0StayWithinTheirRounding) {
  TempDir dir;
  Transformer model = random_model(small_options());
  auto original = by_name(hf_model_tensors(model));
  for (GgmlType dtype : {GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0}) {
    GgufFile file = round_trip(model, dtype, dir);
    NamedTensors back = hf_tensors_from_gguf(file, hf_config_from_gguf(file));
    for (const auto& [name, tensor] : back) {
      const auto& expected = original.at(name);
      if (expected.dim() == 1) {
        EXPECT_TRUE(tensor.equal(expected)) << name << ": norm gains stay F32";
      } else if (dtype == GgmlType::kQ8_0) {
        EXPECT_LE((tensor - expected).abs().max().item<double>(),
                  q8_0_max_error(expected.abs().max().item<double>()))
            << name;
      } else {
        auto type = dtype == GgmlType::kF16 ? torch::kHalf : torch::kBFloat16;
        EXPECT_TRUE(tensor.equal(expected.to(type).to(torch::kFloat))) << name;
      }
    }
    EXPECT_EQ(*gguf_uint(file, "general.file_type", true), dtype == GgmlType::kF16    ? 1u
                                                           : dtype == GgmlType::kBF16 ? 32u
                                                                                      : 7u);
  }
}

TEST(GgufLlama, RefusesWhatLlamaCannotRepresent) {
  TokenizerConfig tokenizer_config;
  tokenizer_config.vocab = std::string(ROPELM_SOURCE_DIR) + "/data/bert-base-uncased-vocab.txt";
  auto tokenizer = make_tokenizer(tokenizer_config);
  Config config;
  config.tokenizer = tokenizer_config;
  for (auto [options, message] : std::vector<std::pair<TransformerOptions, std::string>>{
           {small_options().norm(NormKind::kLayerNorm), "model.norm = layernorm"},
           {small_options().mlp(MlpKind::kGELU), "model.mlp = gelu"},
           {small_options().bias(true), "model.bias = true"},
           {small_options().position(PositionKind::kLearned), "model.position is not rope"}}) {
    EXPECT_THAT([&] { llama_gguf_file(Transformer(options), config, *tokenizer, GgmlType::kF32, "x"); },
                ::testing::ThrowsMessage<UserError>(HasSubstr(message)));
  }
}

TEST(GgufLlama, ImportRefusesMissingAndStrayTensors) {
  TempDir dir;
  GgufFile file = round_trip(random_model(small_options()), GgmlType::kF32, dir);
  const auto config = hf_config_from_gguf(file);
  GgufFile missing = file;
  missing.tensors.erase(missing.tensors.begin() + 4);  // token_embd, attn_norm, attn_q, attn_k, attn_v
  EXPECT_THAT([&] { hf_tensors_from_gguf(missing, config); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("has no tensor 'blk.0.attn_v.weight'")));
  GgufFile stray = file;
  stray.tensors.push_back(stray.tensors[1]);
  stray.tensors.back().name = "blk.2.attn_norm.weight";
  EXPECT_THAT([&] { hf_tensors_from_gguf(stray, config); },
              ::testing::ThrowsMessage<UserError>(
                  HasSubstr("'blk.2.attn_norm.weight' has no place in a llama model of 2")));
  GgufFile reshaped = file;
  reshaped.tensors[2].dims = {16, 64};
  EXPECT_THAT([&] { hf_tensors_from_gguf(reshaped, config); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("'blk.0.attn_q.weight' has shape [64, 16]")));
  GgufFile other = file;
  other.set("general.architecture", {std::string("gpt2")});
  EXPECT_THAT([&] { hf_config_from_gguf(other); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("general.architecture = 'gpt2' is not llama")));
}

}  // namespace
}  // namespace ropelm::testing
