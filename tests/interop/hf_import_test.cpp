// Import: config.json parsing (transformers 4 and 5 spellings, refusals), fp32 conversion of BF16/F16
// weights, tokenizer detection, and a sharded directory becoming a checkpoint that computes the same logits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checkpoint/checkpoint_dir.h"
#include "checkpoint/safetensors_writer.h"
#include "config/load.h"
#include "interop/hf_config.h"
#include "interop/hf_export.h"
#include "interop/hf_import.h"
#include "interop/hf_tokenizer_files.h"
#include "interop/hf_weight_files.h"
#include "interop_test_util.h"
#include "run/run_checkpoint.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

using ::testing::HasSubstr;

// The config.json of meta-llama/Llama-2-7b-hf (transformers 4 spelling), shrunk.
nlohmann::json llama2_config() {
  return nlohmann::json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
    "hidden_size": 64, "intermediate_size": 176, "num_attention_heads": 8, "num_hidden_layers": 3,
    "num_key_value_heads": 8, "max_position_embeddings": 4096, "rms_norm_eps": 1e-05,
    "rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "vocab_size": 32000,
    "torch_dtype": "float16", "pretraining_tp": 1, "bos_token_id": 1, "eos_token_id": 2})");
}

std::string parse_error(const nlohmann::json& json) {
  try {
    parse_hf_config(json, ModelConfig{}, "config.json");
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

TEST(HfConfigImport, ReadsLlamaFields) {
  ModelConfig base;
  base.dropout = 0.1;
  auto hf = parse_hf_config(llama2_config(), base, "config.json");
  EXPECT_EQ(hf.model.d_model, 64);
  EXPECT_EQ(hf.model.n_layers, 3);
  EXPECT_EQ(hf.model.n_heads, 8);
  EXPECT_EQ(hf.model.n_kv_heads, 0);  // = num_attention_heads
  EXPECT_EQ(hf.model.mlp_hidden, 176);
  EXPECT_EQ(hf.model.norm_eps, 1e-5);
  EXPECT_FALSE(hf.model.tie_embeddings);
  EXPECT_EQ(hf.model.rope_style, RopeStyle::kHalf);
  EXPECT_EQ(hf.model.rope_scaling, RopeScaling::kNone);
  EXPECT_EQ(hf.model.dropout, 0.1);  // training-only keys stay as given
  EXPECT_EQ(hf.vocab_size, 32000);
  EXPECT_EQ(hf.max_position_embeddings, 4096);
}

TEST(HfConfigImport, ExportedConfigReadsBackAsTheSameModelSection) {
  ModelConfig model;
  model.d_model = 48;
  model.n_heads = 6;
  model.n_kv_heads = 2;
  model.tie_embeddings = false;
  model.rope_theta = 5e5;
  model.rope_scaling = RopeScaling::kLinear;
  model.rope_scaling_factor = 2;
  auto json = hf_config_json(from_config(model, 100, 64), {}, 64);
  auto back = parse_hf_config(json, ModelConfig{}, "config.json").model;
  Config a, b;
  a.model = model;
  b.model = back;
  EXPECT_EQ(to_toml(a), to_toml(b));
}

TEST(HfConfigImport, ReadsTransformers5RopeParameters) {
  auto json = llama2_config();
  json.erase("rope_theta");
  json.erase("rope_scaling");
  json["rope_parameters"] = {{"rope_type", "linear"}, {"rope_theta", 5e5}, {"factor", 4.0}};
  auto model = parse_hf_config(json, ModelConfig{}, "config.json").model;
  EXPECT_EQ(model.rope_theta, 5e5);
  EXPECT_EQ(model.rope_scaling, RopeScaling::kLinear);
  EXPECT_EQ(model.rope_scaling_factor, 4.0);
}

TEST(HfConfigImport, RefusesWhatRopelmCannotRepresent) {
  auto with = [](const std::string& key, const nlohmann::json& value) {
    auto json = llama2_config();
    json[key] = value;
    return json;
  };
  EXPECT_THAT(parse_error(with("model_type", "mistral")), HasSubstr("model_type = 'mistral'"));
  EXPECT_THAT(parse_error(with("hidden_act", "gelu")), HasSubstr("hidden_act = 'gelu'"));
  EXPECT_THAT(parse_error(with("attention_bias", true)), HasSubstr("attention_bias = true"));
  EXPECT_THAT(parse_error(with("head_dim", 16)), HasSubstr("head_dim"));
  EXPECT_THAT(parse_error(with("rope_scaling", {{"rope_type", "dynamic"}, {"factor", 2.0}})),
              HasSubstr("rope_scaling type 'dynamic'"));
  auto no_size = llama2_config();
  no_size.erase("hidden_size");
  EXPECT_THAT(parse_error(no_size), HasSubstr("no field 'hidden_size'"));
}

TEST(HfWeightFiles, HalfPrecisionBecomesFp32) {
  TempDir dir;
  auto values = torch::randn({4, 3});
  save_safetensors(dir / "model.safetensors",
                   {{"a", values.to(torch::kBFloat16)}, {"b", values.to(torch::kHalf)}});
  auto loaded = load_hf_weights(dir / "");
  EXPECT_TRUE(torch::equal(loaded.at("a"), values.to(torch::kBFloat16).to(torch::kFloat)));
  EXPECT_TRUE(torch::equal(loaded.at("b"), values.to(torch::kHalf).to(torch::kFloat)));
  EXPECT_EQ(loaded.at("a").scalar_type(), torch::kFloat);
  save_safetensors(dir / "model.safetensors", {{"ids", torch::arange(3)}});
  std::string error = "no error";
  try {
    load_hf_weights(dir / "");
  } catch (const UserError& caught) {
    error = caught.what();
  }
  EXPECT_THAT(error, HasSubstr("tensor 'ids' has dtype I64"));
}

TEST(HfTokenizerFiles, DetectsTheKindFromTheFilesPresent) {
  TempDir dir;
  EXPECT_THROW(tokenizer_config_from_hf(dir / "", {}), UserError);
  write_file_atomic(dir / "vocab.json", "{}");
  write_file_atomic(dir / "merges.txt", "#version: 0.2\n");
  auto gpt2 = tokenizer_config_from_hf(dir / "", {});
  EXPECT_EQ(gpt2.type, TokenizerKind::kGpt2);
  EXPECT_EQ(gpt2.merges, (dir / "merges.txt").string());
  write_file_atomic(dir / "vocab.txt", "[UNK]\n[SEP]\n");
  write_file_atomic(dir / "tokenizer_config.json", R"({"do_lower_case": false})");
  auto wordpiece = tokenizer_config_from_hf(dir / "", {});
  EXPECT_EQ(wordpiece.type, TokenizerKind::kWordPiece);
  EXPECT_FALSE(wordpiece.lowercase);
  EXPECT_TRUE(wordpiece.merges.empty());
}

// Writes the HF directory of `model` by hand, with the weights split over two shards and an index.
void write_sharded_hf_dir(const Transformer& model, const TokenizerConfig& tokenizer_config,
                          const std::filesystem::path& dir) {
  auto tokenizer = make_tokenizer(tokenizer_config);
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "config.json", hf_config_json(model->options(), {}, 32).dump());
  write_hf_tokenizer_files(tokenizer_config, *tokenizer, 32, dir);
  NamedTensors tensors = hf_model_tensors(model), first, second;
  nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
  for (size_t i = 0; i < tensors.size(); ++i) {
    bool early = i < tensors.size() / 2;
    (early ? first : second).push_back(tensors[i]);
    index["weight_map"][tensors[i].first] =
        early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  save_safetensors(dir / "model-00001-of-00002.safetensors", first, {{"format", "pt"}});
  save_safetensors(dir / "model-00002-of-00002.safetensors", second, {{"format", "pt"}});
  write_file_atomic(dir / "model.safetensors.index.json", index.dump(2));
}

TEST(HfImport, ShardedDirectoryBecomesAnEquivalentCheckpoint) {
  TempDir dir;
  TokenizerConfig tokenizer_config;
  tokenizer_config.vocab = std::string(ROPELM_SOURCE_DIR) + "/data/bert-base-uncased-vocab.txt";
  auto options = TransformerOptions(30522, 32, 2, 4).n_kv_heads(2).tie_embeddings(false).max_seq_len(32);
  Transformer original = random_model(options);
  write_sharded_hf_dir(original, tokenizer_config, dir / "hf");

  Config base;
  base.model.dropout = 0.1;
  import_hf({dir / "hf", dir / "imported", base});

  VerifiedCheckpoint checkpoint = load_checkpoint(dir / "imported");
  EXPECT_EQ(checkpoint.step, 0);
  // No optimizer moments at step 0: training resumes it with a fresh optimizer (AdamW's load_state test).
  EXPECT_TRUE(checkpoint.contents.optimizer.empty());
  LoadedCheckpoint loaded = open_checkpoint(dir / "imported", torch::kCPU);
  EXPECT_EQ(loaded.config.model.n_kv_heads, 2);
  EXPECT_EQ(loaded.config.model.dropout, 0.1);
  EXPECT_EQ(loaded.config.tokenizer.type, TokenizerKind::kWordPiece);
  EXPECT_TRUE(loaded.config.tokenizer.lowercase);
  auto ids = torch::randint(30522, {2, 12}, torch::kLong);
  torch::NoGradGuard no_grad;
  original->eval();
  EXPECT_TRUE(torch::equal(loaded.model->forward(ids), original->forward(ids)));
  // Nothing is left beside the output, and a second import refuses to overwrite it.
  EXPECT_EQ(
      std::distance(std::filesystem::directory_iterator(dir / ""), std::filesystem::directory_iterator()), 2);
  EXPECT_THROW(import_hf({dir / "hf", dir / "imported", base}), UserError);
}

}  // namespace
}  // namespace ropelm::testing
