// `ropelm export --format hf` and `ropelm import --hf` end to end: a trained checkpoint survives export →
// import bit for bit (weights and eval perplexity), the import resumes training, and refusals exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "checkpoint/safetensors_reader.h"
#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HfCli : public ::testing::Test {
 protected:
  // One trained run and its export, shared by the tests.
  static void SetUpTestSuite() {
    root_ = root_with_a_two_step_run("ropelm_hf_test");
    exported_ =
        run_ropelm("export --checkpoint " + checkpoint().string() + " --format hf --out " + hf().string());
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  static fs::path checkpoint() { return two_step_checkpoint(root_); }
  static fs::path hf() { return root_ / "hf"; }

  static fs::path root_;
  static CliResult exported_;
};

fs::path HfCli::root_;
CliResult HfCli::exported_;

TEST_F(HfCli, ExportWritesALlamaDirectory) {
  ASSERT_EQ(exported_.exit_code, 0) << exported_.err;
  for (auto name :
       {"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"})
    EXPECT_TRUE(fs::is_regular_file(hf() / name)) << name;
  auto config = nlohmann::json::parse(slurp(hf() / "config.json"));
  EXPECT_EQ(config["architectures"][0], "LlamaForCausalLM");
  EXPECT_EQ(config["vocab_size"], 30522);  // bert-base-uncased, unpadded
  EXPECT_EQ(config["hidden_size"], 32);
  EXPECT_EQ(config["num_hidden_layers"], 2);
  EXPECT_EQ(config["num_attention_heads"], 2);
  EXPECT_EQ(config["max_position_embeddings"], 32);  // data.context_length
  EXPECT_EQ(config["tie_word_embeddings"], true);
  EXPECT_EQ(config["bos_token_id"], 101);  // [CLS]
  EXPECT_EQ(config["eos_token_id"], 102);  // [SEP]
  EXPECT_EQ(config["pad_token_id"], 0);    // [PAD]
  auto tokenizer = nlohmann::json::parse(slurp(hf() / "tokenizer_config.json"));
  EXPECT_EQ(tokenizer["tokenizer_class"], "PreTrainedTokenizerFast");
  EXPECT_EQ(tokenizer["do_lower_case"], true);
  EXPECT_EQ(slurp(hf() / "vocab.txt"),
            slurp(fs::path(ROPELM_SOURCE_DIR) / "data/bert-base-uncased-vocab.txt"));
  // tokenizer.json: the same vocabulary line by line, and no post-processor (transformers would otherwise add
  // [CLS] and [SEP] by default); scripts/check_hf_export.py checks the ids in transformers itself.
  auto fast = nlohmann::json::parse(slurp(hf() / "tokenizer.json"));
  EXPECT_TRUE(fast["post_processor"].is_null());
  EXPECT_EQ(fast["normalizer"]["lowercase"], true);
  std::istringstream vocab_lines(slurp(hf() / "vocab.txt"));
  std::string line;
  int64_t id = 0;
  for (; std::getline(vocab_lines, line); ++id) ASSERT_EQ(fast["model"]["vocab"][line], id) << line;
  EXPECT_EQ(fast["model"]["vocab"].size(), static_cast<size_t>(id));
  SafetensorsFile weights(hf() / "model.safetensors");
  EXPECT_EQ(weights.metadata().at("format"), "pt");
  EXPECT_EQ(weights.info("model.embed_tokens.weight").shape, std::vector<int64_t>({30522, 32}));
  EXPECT_FALSE(weights.contains("lm_head.weight"));  // tied
}

TEST_F(HfCli, ImportRoundTripIsExact) {
  ASSERT_EQ(exported_.exit_code, 0) << exported_.err;
  fs::path imported = root_ / "imported";
  auto result =
      run_ropelm("import --hf " + hf().string() + " --out " + imported.string() + " " + kTinyConfig);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto original = load_safetensors(checkpoint() / "model.safetensors");
  std::map<std::string, at::Tensor> back;
  for (auto& [name, tensor] : load_safetensors(imported / "model.safetensors")) back[name] = tensor;
  ASSERT_EQ(back.size(), original.size());
  for (const auto& [name, tensor] : original) {
    // The embedding's padding rows (30522 → 30528) are never read; import writes zeros there.
    auto rows = name == "tok_embeddings.weight" ? 30522 : tensor.size(0);
    EXPECT_TRUE(back.at(name).sizes() == tensor.sizes() &&
                back.at(name).narrow(0, 0, rows).equal(tensor.narrow(0, 0, rows)))
        << name;
  }
  auto before = eval_json(checkpoint()), after = eval_json(imported);
  EXPECT_EQ(before["tokens"], after["tokens"]);
  EXPECT_EQ(before["nll"].get<double>(), after["nll"].get<double>());  // bitwise
  EXPECT_EQ(before["perplexity"].get<double>(), after["perplexity"].get<double>());

  auto generated =
      run_ropelm("generate --checkpoint " + imported.string() + " --prompt 'I had' --max-new-tokens 3");
  EXPECT_EQ(generated.exit_code, 0) << generated.err;
  // An imported model is a start, not an exact continuation: the run differs in tokenizer path and train
  // tokens.
  auto resumed = run_ropelm("train " + kTinyConfig + " --set train.steps=1 --run-dir " +
                            (root_ / "finetune").string() + " --resume " + imported.string() + " --force");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(fs::exists(root_ / "finetune" / "checkpoints" / "step_00000001" / "manifest.json"));
}

TEST_F(HfCli, RefusesToOverwriteAndNamesUnexportableOptions) {
  auto again =
      run_ropelm("export --checkpoint " + checkpoint().string() + " --format hf --out " + hf().string());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  fs::path run = root_ / "layernorm";
  auto trained = run_ropelm("train " + kTinyConfig +
                            " --set train.steps=1 --set model.norm=layernorm --run-dir " + run.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  auto refused = run_ropelm("export --checkpoint " + (run / "checkpoints" / "step_00000001").string() +
                            " --format hf --out " + (root_ / "hf_layernorm").string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("model.norm = layernorm: HF Llama uses RMSNorm"));
  EXPECT_FALSE(fs::exists(root_ / "hf_layernorm"));
}

}  // namespace
}  // namespace ropelm::test
