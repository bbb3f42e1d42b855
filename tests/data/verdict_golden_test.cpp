// The shipped verdict configs end to end: config → tokenizer → token cache → first batch, as the seed
// notebook.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>

#include "config/load.h"
#include "data/batch_loader.h"
#include "data/corpus.h"
#include "data/data_options.h"
#include "temp_dir.h"
#include "util/atomic_file.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = ROPELM_SOURCE_DIR;

// The config with its relative paths anchored at the source tree and its cache in a temporary directory.
Config load_verdict_config(const std::string& name, const fs::path& cache_dir) {
  Config config = load_config(kRoot / "configs" / name, {"data.cache_dir=" + cache_dir.string()});
  config.tokenizer.vocab = (kRoot / config.tokenizer.vocab).string();
  if (!config.tokenizer.merges.empty()) config.tokenizer.merges = (kRoot / config.tokenizer.merges).string();
  for (std::string& source : config.data.train) source = (kRoot / source).string();
  return config;
}

std::vector<int64_t> flat(const torch::Tensor& tensor) {
  torch::Tensor values = tensor.contiguous();
  return {values.data_ptr<int64_t>(), values.data_ptr<int64_t>() + values.numel()};
}

// The first batch, brute force: rows of `context` ids starting every `stride` ids of the whole stream.
std::vector<int64_t> expected_rows(const std::vector<int64_t>& ids, int64_t rows, int64_t context,
                                   int64_t offset) {
  std::vector<int64_t> out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t t = 0; t < context; ++t) out.push_back(ids[r * context + t + offset]);
  }
  return out;
}

TEST(VerdictConfigs, Gpt2FirstBatchIsTheNotebooks) {
  ASSERT_TRUE(fs::exists(kRoot / "data/gpt2/encoder.json") && fs::exists(kRoot / "data/the-verdict.txt"));
  testing::TempDir dir;
  Config config = load_verdict_config("verdict-gpt2.toml", dir.path());
  auto tokenizer = make_tokenizer(config.tokenizer);
  Corpus corpus = Corpus::load(corpus_options(config), *tokenizer, CacheAccess::kOpenOrBuild);

  std::vector<int64_t> golden;
  std::ifstream in(kRoot / "tests/data/fixtures/the-verdict.gpt2.ids");
  for (int64_t id; in >> id;) golden.push_back(id);
  ASSERT_EQ(golden.size(), 5145u);
  ASSERT_EQ(corpus.train().size(), 5145);
  for (int64_t i = 0; i < corpus.train().size(); ++i)
    ASSERT_EQ(corpus.train()[i], golden[i]) << "token " << i;

  BatchLoader loader(corpus.train(), train_loader_options(config));
  EXPECT_EQ(loader.steps_per_epoch(), 160);  // (5145 − 4 − 1) / 4 + 1 = 1286 windows, 8 a batch
  Batch batch = loader.next_step().micro_batches[0];
  ASSERT_EQ(batch.inputs.sizes(), (torch::IntArrayRef{8, 4}));
  std::vector<int64_t> inputs = flat(batch.inputs);
  std::vector<int64_t> targets = flat(batch.targets);
  EXPECT_EQ(std::vector<int64_t>(inputs.begin(), inputs.begin() + 8),
            (std::vector<int64_t>{40, 367, 2885, 1464, 1807, 3619, 402, 271}));
  EXPECT_EQ(std::vector<int64_t>(targets.begin(), targets.begin() + 4),
            (std::vector<int64_t>{367, 2885, 1464, 1807}));
  EXPECT_EQ(inputs, expected_rows(golden, 8, 4, 0));
  EXPECT_EQ(targets, expected_rows(golden, 8, 4, 1));
}

TEST(VerdictConfigs, WordPieceFirstBatchIsTheTokenizersIds) {
  ASSERT_TRUE(fs::exists(kRoot / "data/bert-base-uncased-vocab.txt") &&
              fs::exists(kRoot / "data/the-verdict.txt"));
  testing::TempDir dir;
  Config config = load_verdict_config("verdict.toml", dir.path());
  auto tokenizer = make_tokenizer(config.tokenizer);
  Corpus corpus = Corpus::load(corpus_options(config), *tokenizer, CacheAccess::kOpenOrBuild);
  std::string text = read_file(kRoot / "data/the-verdict.txt");
  std::vector<TokenId> encoded = tokenizer->encode(text);
  std::vector<int64_t> ids(encoded.begin(), encoded.end());
  ASSERT_EQ(corpus.train().size(), static_cast<int64_t>(ids.size()));
  EXPECT_TRUE(corpus.val().empty());
  Batch batch = BatchLoader(corpus.train(), train_loader_options(config)).next_step().micro_batches[0];
  EXPECT_EQ(flat(batch.inputs), expected_rows(ids, 8, 4, 0));
  EXPECT_EQ(flat(batch.targets), expected_rows(ids, 8, 4, 1));
}

}  // namespace
}  // namespace ropelm
