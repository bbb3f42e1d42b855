// The shipped verdict configs end to end: config → tokenizer → token cache → first batch, as the seed
// notebook.
#include <gtest/gtest.h>

#include <fstream>

#include "config/load.h"
#include "data/corpus.h"
#include "data/data_options.h"
#include "data/step_sampler.h"
#include "data/window_rows.h"
#include "support/temp_dir.h"
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

// The training loader's first micro-batch: input rows and target rows, each flattened row-major.
std::pair<std::vector<int64_t>, std::vector<int64_t>> first_batch(const WindowRows& rows,
                                                                  const SamplerOptions& sampling) {
  std::vector<int64_t> windows = StepSampler(rows.num_windows(), sampling).next_step().micro_batches.front();
  const size_t size = windows.size() * static_cast<size_t>(rows.context_length());
  std::vector<int64_t> inputs(size), targets(size);
  rows.copy_rows(windows, inputs.data(), targets.data());
  return {inputs, targets};
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
  std::ifstream in(kRoot / "tests/fixtures/gpt2/the-verdict.gpt2.ids");
  for (int64_t id; in >> id;) golden.push_back(id);
  ASSERT_EQ(golden.size(), 5145u);
  ASSERT_EQ(corpus.train().size(), 5145);
  for (int64_t i = 0; i < corpus.train().size(); ++i)
    ASSERT_EQ(corpus.train()[i], golden[i]) << "token " << i;

  LoaderOptions loader = train_loader_options(config);
  WindowRows rows(corpus.train(), loader.windows);
  EXPECT_EQ(StepSampler(rows.num_windows(), loader.sampling).steps_per_epoch(1),
            160);  // (5145 − 4 − 1) / 4 + 1 = 1286 windows, 8 a batch
  ASSERT_EQ(rows.context_length(), 4);
  auto [inputs, targets] = first_batch(rows, loader.sampling);
  ASSERT_EQ(inputs.size(), 8u * 4u);
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
  LoaderOptions loader = train_loader_options(config);
  auto [inputs, targets] = first_batch(WindowRows(corpus.train(), loader.windows), loader.sampling);
  EXPECT_EQ(inputs, expected_rows(ids, 8, 4, 0));
  EXPECT_EQ(targets, expected_rows(ids, 8, 4, 1));
}

}  // namespace
}  // namespace ropelm
