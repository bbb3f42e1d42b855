// `ropelm export --format gguf` and `ropelm import --gguf` end to end: a trained checkpoint survives export →
// import exactly (weights and eval perplexity), every --dtype imports, refusals and hostile GGUF files exit 2
// with one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "checkpoint/safetensors_reader.h"
#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class GgufCli : public ::testing::Test {
 protected:
  // One trained run (WordPiece, bert-base-uncased) and its f32 export, shared by the tests.
  static void SetUpTestSuite() {
    root_ = root_with_a_two_step_run("ropelm_gguf_test");
    exported_ = run_ropelm("export --checkpoint " + checkpoint().string() + " --format gguf --out " +
                           gguf().string());
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  static fs::path checkpoint() { return two_step_checkpoint(root_); }
  static fs::path gguf() { return root_ / "model.gguf"; }

  // A copy of the export with `mutate` applied to its bytes, and the result of importing it.
  static CliResult import_mutated(const std::string& name, const std::function<void(std::string&)>& mutate) {
    std::string bytes = slurp(gguf());
    mutate(bytes);
    fs::path path = root_ / (name + ".gguf");
    std::ofstream(path, std::ios::binary) << bytes;
    return run_ropelm("import --gguf " + path.string() + " --out " + (root_ / ("imported_" + name)).string());
  }

  static fs::path root_;
  static CliResult exported_;
};

fs::path GgufCli::root_;
CliResult GgufCli::exported_;

template <typename T>
void patch(std::string& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}

TEST_F(GgufCli, ImportRoundTripIsExact) {
  ASSERT_EQ(exported_.exit_code, 0) << exported_.err;
  EXPECT_THAT(exported_.err, HasSubstr("as GGUF llama (F32, 20 tensors)"));
  fs::path imported = root_ / "imported";
  auto result =
      run_ropelm("import --gguf " + gguf().string() + " --out " + imported.string() + " " + kTinyConfig);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto original = load_safetensors(checkpoint() / "model.safetensors");
  std::map<std::string, at::Tensor> back;
  for (auto& [name, tensor] : load_safetensors(imported / "model.safetensors")) back[name] = tensor;
  ASSERT_EQ(back.size(), original.size());
  for (const auto& [name, tensor] : original) {
    auto rows = name == "tok_embeddings.weight" ? 30522 : tensor.size(0);  // padding rows come back as zeros
    EXPECT_TRUE(back.at(name).sizes() == tensor.sizes() &&
                back.at(name).narrow(0, 0, rows).equal(tensor.narrow(0, 0, rows)))
        << name;
  }
  EXPECT_EQ(slurp(imported / "vocab.txt"),
            slurp(fs::path(ROPELM_SOURCE_DIR) / "data/bert-base-uncased-vocab.txt"));
  auto before = eval_json(checkpoint()), after = eval_json(imported);
  EXPECT_EQ(before["tokens"], after["tokens"]);
  EXPECT_EQ(before["nll"].get<double>(), after["nll"].get<double>());  // bitwise
}

TEST_F(GgufCli, EveryDtypeImports) {
  const double nll = eval_json(checkpoint())["nll"].get<double>();
  for (const std::string dtype : {"f16", "bf16", "q8_0"}) {
    fs::path file = root_ / ("model_" + dtype + ".gguf"), imported = root_ / ("imported_" + dtype);
    auto exported = run_ropelm("export --checkpoint " + checkpoint().string() + " --format gguf --dtype " +
                               dtype + " --out " + file.string());
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    auto result =
        run_ropelm("import --gguf " + file.string() + " --out " + imported.string() + " " + kTinyConfig);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // Rounding the weights moves the loss of a 2-step model by far less than a percent.
    EXPECT_NEAR(eval_json(imported)["nll"].get<double>(), nll, 1e-2 * nll) << dtype;
  }
  EXPECT_LT(fs::file_size(root_ / "model_q8_0.gguf"), fs::file_size(root_ / "model_f16.gguf"));
}

TEST_F(GgufCli, RefusalsAreOneLine) {
  expect_one_line_error(
      run_ropelm("export --checkpoint " + checkpoint().string() + " --format gguf --out " + gguf().string()),
      "already exists");
  expect_one_line_error(run_ropelm("export --checkpoint " + checkpoint().string() +
                                   " --format hf --dtype f16 --out " + (root_ / "hf").string()),
                        "--dtype applies to --format gguf only");
  expect_one_line_error(run_ropelm("import --out " + (root_ / "nothing").string()),
                        "import needs --hf DIR or --gguf FILE");
  fs::path run = root_ / "layernorm";
  ASSERT_EQ(run_ropelm("train " + kTinyConfig + " --set train.steps=1 --set model.norm=layernorm --run-dir " +
                       run.string())
                .exit_code,
            0);
  fs::path out = root_ / "layernorm.gguf";
  expect_one_line_error(run_ropelm("export --checkpoint " + (run / "checkpoints" / "step_00000001").string() +
                                   " --format gguf --out " + out.string()),
                        "model.norm = layernorm: HF Llama uses RMSNorm");
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(GgufCli, HostileFilesAreOneLineErrors) {
  ASSERT_EQ(exported_.exit_code, 0) << exported_.err;
  const std::string bytes = slurp(gguf());
  const size_t embd = bytes.find("token_embd.weight");
  const size_t offset = embd + 17 + 4 + 16 + 4;  // name, dimension count, two dims, type
  expect_one_line_error(import_mutated("truncated", [](std::string& b) { b.resize(b.size() / 2); }),
                        "runs past the end of the file");
  expect_one_line_error(import_mutated("header", [](std::string& b) { b.resize(20); }), "truncated");
  expect_one_line_error(
      import_mutated("tensors", [](std::string& b) { patch<uint64_t>(b, 8, uint64_t{1} << 61); }),
      "the tensor count is 2305843009213693952, more than");
  expect_one_line_error(import_mutated("kvs", [](std::string& b) { patch<uint64_t>(b, 16, ~uint64_t{0}); }),
                        "the metadata count is");
  expect_one_line_error(
      import_mutated("past_end", [&](std::string& b) { patch<uint64_t>(b, offset, uint64_t{1} << 40); }),
      "tensor 'token_embd.weight' data (3906816 bytes at offset 1099511627776) runs past the end");
  expect_one_line_error(import_mutated("unaligned", [&](std::string& b) { patch<uint64_t>(b, offset, 8); }),
                        "is not a multiple of 32 (unaligned)");
  expect_one_line_error(import_mutated("magic", [](std::string& b) { b[0] = 'g'; }), "not a GGUF file");
  expect_one_line_error(import_mutated("version", [](std::string& b) { patch<uint32_t>(b, 4, 4); }),
                        "GGUF version 4 is not supported");
  expect_one_line_error(
      import_mutated("arch", [](std::string& b) { b.replace(b.find("llama"), 5, "llamb"); }),
      "general.architecture = 'llamb' is not llama");
  expect_one_line_error(run_ropelm("import --gguf " + (root_ / "absent.gguf").string() + " --out " +
                                   (root_ / "imported_absent").string()),
                        "absent.gguf");
  EXPECT_FALSE(fs::exists(root_ / "imported_truncated"));
}

}  // namespace
}  // namespace ropelm::test
