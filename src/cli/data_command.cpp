// `ropelm data`: tokenises (or reuses) the corpus, prints its statistics and the first batches, and
// optionally times one epoch of the training loader. Torch-free: it runs in the light `ropelm` executable.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "data/corpus.h"
#include "data/data_options.h"
#include "data/sliding_windows.h"
#include "data/step_sampler.h"
#include "data/window_rows.h"
#include "tokenizer/tokenizer.h"

namespace ropelm::cli {
namespace {

struct DataArgs {
  ConfigArgs config;
  int64_t batches = 1;
  bool iterate = false;
};

// One micro-batch's rows, (rows, cols) row-major, as the trainer's tensors hold them.
struct Rows {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> inputs, targets;
};

// Fills `batch` with the windows' rows, reusing its buffers.
void fill_rows(const WindowRows& rows, const std::vector<int64_t>& windows, Rows& batch) {
  batch.rows = static_cast<int64_t>(windows.size());
  batch.cols = rows.context_length();
  batch.inputs.resize(static_cast<size_t>(batch.rows * batch.cols));
  batch.targets.resize(batch.inputs.size());
  rows.copy_rows(windows, batch.inputs.data(), batch.targets.data());
}

// PyTorch's repr of a 2-D integer tensor, e.g. "tensor([[ 40, 367],\n        [ 12,   7]])", as the seed
// prints.
std::string python_repr(const int64_t* data, int64_t rows, int64_t cols) {
  size_t width = 1;
  for (int64_t i = 0; i < rows * cols; ++i) width = std::max(width, std::to_string(data[i]).size());
  std::ostringstream out;
  out << "tensor([";
  for (int64_t r = 0; r < rows; ++r) {
    out << (r == 0 ? "[" : ",\n        [");
    for (int64_t c = 0; c < cols; ++c) {
      std::string value = std::to_string(data[r * cols + c]);
      out << (c == 0 ? "" : ", ") << std::string(width - value.size(), ' ') << value;
    }
    out << "]";
  }
  out << "])";
  return out.str();
}

double unk_percent(TokenView tokens, const Tokenizer& tokenizer) {
  if (!tokenizer.unk_id() || tokens.empty()) return 0.0;
  int64_t unknown = 0;
  for (int64_t i = 0; i < tokens.size(); ++i) unknown += tokens[i] == *tokenizer.unk_id();
  return 100.0 * static_cast<double>(unknown) / static_cast<double>(tokens.size());
}

void print_split(const char* name, TokenView tokens, const Tokenizer& tokenizer,
                 const LoaderOptions& options) {
  WindowShape shape = options.windows;
  int64_t windows = window_count(tokens.size(), shape);
  const SamplerOptions& sampling = options.sampling;
  int64_t batches = sampling.drop_last ? windows / sampling.batch_size
                                       : (windows + sampling.batch_size - 1) / sampling.batch_size;
  std::cout << name << ": " << tokens.size() << " tokens";
  if (tokenizer.unk_id()) std::cout << " ([UNK] " << unk_percent(tokens, tokenizer) << "%)";
  std::cout << ", " << windows << " windows, " << batches << " batches/epoch\n";
}

void print_stats(const Config& config, const Corpus& corpus, const Tokenizer& tokenizer) {
  const TokenCache& train = corpus.train_cache();
  std::cout << "corpus: " << train.text_bytes() << " bytes in " << train.header().info.sources.size()
            << " file(s), " << train.header().document_count << " document(s), " << train.tokens().size()
            << " tokens (vocab " << tokenizer.vocab_size() << ")\n";
  std::cout << "cache: " << train.path().string() << "\n";
  if (const TokenCache* val = corpus.val_cache()) {
    std::cout << "val corpus: " << val->text_bytes() << " bytes, cache " << val->path().string() << "\n";
  }
  std::cout << std::fixed << std::setprecision(2);
  print_split("train", corpus.train(), tokenizer, train_loader_options(config));
  if (corpus.val().empty()) {
    std::cout << "val: none (data.val is empty and data.val_fraction is 0)\n";
  } else {
    print_split("val", corpus.val(), tokenizer, val_loader_options(config));
  }
}

void print_batches(const WindowRows& rows, StepSampler sampler, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    Rows batch;
    fill_rows(rows, sampler.next_step().micro_batches.front(), batch);
    std::string shape = "[" + std::to_string(batch.rows) + ", " + std::to_string(batch.cols) + "]";
    std::cout << "\nbatch " << i + 1 << ": inputs " << shape << ", targets " << shape << "\nInputs:\n "
              << python_repr(batch.inputs.data(), batch.rows, batch.cols) << "\n\nTargets:\n "
              << python_repr(batch.targets.data(), batch.rows, batch.cols) << "\n";
  }
}

// One epoch of window plans and their rows: the trainer's loader without the tensors around the rows.
void time_epoch(const WindowRows& rows, StepSampler sampler) {
  int64_t steps = sampler.steps_per_epoch();
  auto start = std::chrono::steady_clock::now();
  int64_t windows = 0;
  Rows batch;  // reused, as the trainer's allocator reuses its batch buffers
  for (int64_t i = 0; i < steps; ++i) {
    StepPlan plan = sampler.next_step();
    for (const std::vector<int64_t>& micro_batch : plan.micro_batches) fill_rows(rows, micro_batch, batch);
    windows += plan.global_windows;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "\niterated one epoch: " << steps << " batches, " << windows << " windows in " << seconds
            << " s: " << 1e6 * seconds / static_cast<double>(std::max<int64_t>(steps, 1)) << " us/batch\n";
}

void run_data(const DataArgs& args, const GlobalOptions& global) {
  Config config = resolve_config_with_inputs(args.config, global, /*with_data=*/true);
  std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.tokenizer);
  Corpus corpus = Corpus::load(corpus_options(config), *tokenizer, CacheAccess::kOpenOrBuild);
  print_stats(config, corpus, *tokenizer);
  LoaderOptions loader = train_loader_options(config);
  WindowRows rows(corpus.train(), loader.windows, "train");
  StepSampler sampler(rows.num_windows(), loader.sampling);
  print_batches(rows, sampler, args.batches);
  if (args.iterate) time_epoch(rows, sampler);
}

void setup_data(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<DataArgs>();
  CLI::App* command =
      app.add_subcommand("data", "tokenise the corpus (cached) and print its stats and first batches");
  add_config_options(*command, args->config);
  command->add_option("--batches", args->batches, "training batches to print")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--iterate", args->iterate,
                    "also iterate one training epoch of the loader and print the time per batch");
  command->callback([args, &global] { run_data(*args, global); });
}

const bool registered = register_command({"data", setup_data});

}  // namespace
}  // namespace ropelm::cli
