// `ropelm vocab build`: trains a WordPiece vocab.txt on text files, writes it atomically, and checks it
// loads.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/command.h"
#include "tokenizer/corpus_encoder.h"
#include "tokenizer/vocab_builder.h"
#include "tokenizer/vocab_file.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm::cli {
namespace {

struct VocabBuildArgs {
  std::vector<std::string> corpus;
  int64_t size = 30522;
  std::string out;
  std::string lowercase = "true";
  std::string sentencepiece_model;
};

// Loads the written vocab as a tokenizer and logs its [UNK] rate on the corpus (it should be near 0).
void report_unk_rate(const VocabBuildArgs& args, int threads) {
  TokenizerConfig config;
  config.type = TokenizerKind::kWordPiece;
  config.vocab = args.out;
  config.lowercase = args.lowercase == "true";
  std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config);
  int64_t tokens = 0, unknown = 0;
  for (const std::string& path : args.corpus) {
    std::vector<TokenId> ids = encode_corpus(*tokenizer, read_file(path), threads);
    tokens += static_cast<int64_t>(ids.size());
    unknown += std::count(ids.begin(), ids.end(), *tokenizer->unk_id());
  }
  spdlog::info("vocab build: {} entries written to {}; the corpus encodes to {} tokens, {} [UNK] ({:.4f}%)",
               tokenizer->vocab_size(), args.out, tokens, unknown,
               100.0 * unknown / std::max<int64_t>(tokens, 1));
}

void run_vocab_build(const VocabBuildArgs& args, const GlobalOptions& global) {
  VocabBuildOptions options;
  options.corpus.assign(args.corpus.begin(), args.corpus.end());
  options.size = args.size;
  options.lowercase = args.lowercase == "true";
  options.threads = static_cast<int>(std::max<int64_t>(global.threads, 0));
  options.sentencepiece_model = args.sentencepiece_model;
  auto start = std::chrono::steady_clock::now();
  write_file_atomic(args.out, vocab_file_text(build_wordpiece_vocab(options)));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("vocab build: trained in {:.1f} s", seconds);
  report_unk_rate(args, options.threads);
}

void setup_vocab(CLI::App& app, const GlobalOptions& global) {
  CLI::App* vocab = app.add_subcommand("vocab", "build tokenizer vocabularies");
  vocab->require_subcommand(1);
  auto args = std::make_shared<VocabBuildArgs>();
  CLI::App* build =
      vocab->add_subcommand("build", "train a BERT WordPiece vocab.txt (sentencepiece BPE trainer)");
  build->add_option("--corpus", args->corpus, "UTF-8 text files")->required();
  build->add_option("--size", args->size, "vocab entries, the five specials included")
      ->check(CLI::Range(int64_t{16}, int64_t{1} << 20))
      ->capture_default_str();
  build->add_option("--out", args->out, "vocab.txt to write")->required();
  build->add_option("--lowercase", args->lowercase, "true = uncased, false = cased")
      ->check(CLI::IsMember({"true", "false"}))
      ->capture_default_str();
  build->add_option(
      "--sentencepiece-model", args->sentencepiece_model,
      "also keep the trained sentencepiece model here (usable with tokenizer.type = sentencepiece)");
  build->callback([args, &global] { run_vocab_build(*args, global); });
}

const bool registered = register_command({"vocab", setup_vocab});

}  // namespace
}  // namespace ropelm::cli
