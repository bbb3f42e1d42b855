// `ropelm eval`: strided perplexity and bits per byte of a checkpoint on a text (default: the run's
// validation split).
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <numbers>

#include "cli/command.h"
#include "cli/nproc.h"
#include "config/load.h"
#include "data/corpus.h"
#include "data/data_options.h"
#include "distributed/process_group.h"
#include "eval/eval_options.h"
#include "eval/perplexity.h"
#include "run/busy_cpu.h"
#include "run/checkpoint_choice.h"
#include "run/device.h"
#include "run/precision.h"
#include "run/rank_setup.h"
#include "run/run_checkpoint.h"
#include "util/error.h"

namespace ropelm::cli {
namespace {

struct EvalArgs {
  std::string checkpoint;
  std::vector<std::string> data;
  int64_t context_length = 0, stride = 0, batch_size = 0;
  bool json = false;
  int nproc = 1;
  std::optional<RopeScaling> rope_scaling;  // empty: as trained
  double rope_scaling_factor = 0;           // 0: context length / trained context length (at least 1)
  std::optional<Precision> precision;       // empty: the checkpoint's
};

// The checkpoint's distributed.timeout_s: how long `--nproc` lets surviving ranks report a failed one.
int64_t checkpoint_timeout_s(const std::filesystem::path& checkpoint) {
  std::filesystem::path file = checkpoint / "config.toml";
  return std::filesystem::exists(file) ? load_config(file, {}).distributed.timeout_s
                                       : Config{}.distributed.timeout_s;
}

// The tokens to score and the UTF-8 bytes of the text they came from.
std::pair<TokenView, uint64_t> eval_tokens(const Corpus& corpus, bool explicit_data) {
  if (explicit_data) return {corpus.train(), corpus.train_cache().text_bytes()};
  if (corpus.val().empty()) throw UserError("the run has no validation split: pass --data FILE");
  if (const TokenCache* val = corpus.val_cache()) return {corpus.val(), val->text_bytes()};
  // A val_fraction split: the bytes are not separable, so apportion them by token share.
  double share = static_cast<double>(corpus.val().size()) /
                 static_cast<double>(corpus.train().size() + corpus.val().size());
  return {corpus.val(), static_cast<uint64_t>(std::llround(share * corpus.train_cache().text_bytes()))};
}

// --rope-scaling: the checkpoint's model with other RoPE tables (a cache, rebuilt: the weights stay).
void rescale_rope(LoadedCheckpoint& loaded, const EvalArgs& args, int64_t context_length) {
  const ModelConfig& model = loaded.config.model;
  if (model.position != PositionKind::kRope) {
    throw UserError("--rope-scaling " + std::string(choice_name(*args.rope_scaling)) +
                    ": the checkpoint's model.position = " + std::string(choice_name(model.position)) +
                    " has no RoPE to rescale (evaluate it without --rope-scaling)");
  }
  const double trained = static_cast<double>(loaded.config.data.context_length);
  double factor = args.rope_scaling_factor > 0 ? args.rope_scaling_factor
                                               : std::max(1.0, static_cast<double>(context_length) / trained);
  loaded.model->set_rope_scaling(*args.rope_scaling, factor);
  spdlog::info("RoPE scaling {} with factor {:g} (the model was trained with {}{})",
               choice_name(*args.rope_scaling), factor, choice_name(model.rope_scaling),
               model.rope_scaling == RopeScaling::kNone
                   ? ""
                   : fmt::format(", factor {:g}", model.rope_scaling_factor));
}

// The run's eval.* settings (as validation during training uses them), then the flags.
PerplexityOptions scoring_options(const EvalArgs& args, const Config& config) {
  PerplexityOptions options = perplexity_options(config);
  if (args.context_length) options.context_length = args.context_length;
  if (args.stride) {
    options.stride = args.stride;
  } else if (args.context_length) {
    options.stride = args.context_length;
  }
  if (args.batch_size) options.batch_size = args.batch_size;
  return options;
}

void run_eval(const EvalArgs& args, const GlobalOptions& global) {
  auto start = std::chrono::steady_clock::now();
  DistributedEnv env = distributed_env_from_environment();
  torch::Device device = rank_device(global.device.empty() ? "auto" : global.device, env);
  if (global.threads >= 0) set_cpu_threads(global.threads);
  LoadedCheckpoint loaded = open_checkpoint(args.checkpoint, device);
  const ResolvedPrecision precision =
      inference_precision(args.precision, loaded.state.precision, device_bf16_facts(device));
  Config& config = loaded.config;
  PerplexityOptions options = scoring_options(args, config);
  if (args.rope_scaling) rescale_rope(loaded, args, options.context_length);  // refused before any work
  log_inference_precision(precision);
  if (auto busy = device.is_cpu() ? busy_cpu_warning() : std::nullopt) spdlog::warn(*busy);
  if (!args.data.empty()) {
    config.data.train = args.data;
    config.data.val.clear();
    config.data.val_fraction = 0;
  }
  Distributed group(env, config.distributed, device);
  Corpus corpus = load_corpus_rank0_first(corpus_options(config), *loaded.tokenizer, group);
  auto [tokens, text_bytes] = eval_tokens(corpus, !args.data.empty());
  if (options.context_length > config.data.context_length && config.model.position != PositionKind::kAlibi &&
      !args.rope_scaling) {
    spdlog::warn(
        "--context-length {} is above the {} tokens the model was trained on: the extra positions "
        "are ones it never learned",
        options.context_length, config.data.context_length);
  }
  options.rank = group.rank();  // each rank scores every world_size-th window
  options.world_size = group.world_size();
  options.bf16 = precision.precision == Precision::kBf16;
  NllSum sum = score_tokens(loaded.model, tokens, options, device);
  sum.nll = group.all_reduce_sum(sum.nll);
  sum.tokens = group.all_reduce_sum(sum.tokens);
  if (group.rank() != 0) return;  // rank 0 reports
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double mean_nll = sum.nll / static_cast<double>(sum.tokens);
  // Total bits over the bytes of the scored tokens: the first token is never scored, so the text's bytes are
  // scaled by the scored share of its tokens (with the byte tokenizer: exactly mean NLL / ln 2).
  double scored_bytes =
      static_cast<double>(text_bytes) * static_cast<double>(sum.tokens) / static_cast<double>(tokens.size());
  double bits_per_byte = sum.nll / std::numbers::ln2 / scored_bytes;
  if (args.json) {
    nlohmann::json result = {{"tokens", sum.tokens},
                             {"nll", mean_nll},
                             {"perplexity", std::exp(mean_nll)},
                             {"bits_per_byte", bits_per_byte},
                             {"seconds", seconds}};
    std::cout << result.dump() << "\n";
    return;
  }
  std::cout << fmt::format(
      "tokens scored  {}\nmean NLL       {:.6f}\nperplexity     {:.4f}\nbits per byte  {:.6f}\n"
      "time           {:.2f} s\n",
      sum.tokens, mean_nll, std::exp(mean_nll), bits_per_byte, seconds);
}

void setup_eval(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* command = app.add_subcommand("eval", "strided perplexity of a checkpoint on a text");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint directory")->required();
  command->add_option("--data", args->data, "text files to score (default: the run's validation split)");
  command->add_option("--context-length", args->context_length,
                      "window length (default: the run's eval.context_length, else data.context_length)");
  command->add_option(
      "--stride", args->stride,
      "tokens between windows (default: --context-length if given, else the run's eval.stride, "
      "else the context length)");
  command->add_option("--batch-size", args->batch_size,
                      "windows per batch (default: the run's eval.batch_size, else data.batch_size)");
  add_choice_option(*command, "--rope-scaling", args->rope_scaling,
                    "evaluate a RoPE model with this context extension instead of its own; the tables are "
                    "rebuilt, the weights stay");
  command
      ->add_option("--rope-scaling-factor", args->rope_scaling_factor,
                   "factor of --rope-scaling (default: the context length / the trained context, at least 1)")
      ->check(CLI::Range(1.0, 1e6));
  command->add_flag("--json", args->json,
                    "print one JSON object: tokens, nll, perplexity, bits_per_byte, seconds");
  add_choice_option(*command, "--precision", args->precision,
                    "bf16 = mixed precision, auto = bf16 where the device does it fast; default: the "
                    "checkpoint's");
  add_nproc_option(*command, args->nproc);
  command->callback([args, &global] {
    if (args->rope_scaling_factor > 0 && !args->rope_scaling)
      throw UserError("--rope-scaling-factor needs --rope-scaling (none, linear, ntk or yarn)");
    args->checkpoint = resolve_checkpoint_dir(args->checkpoint, RunDirChoice::kBestElseNewest).string();
    if (args->nproc > 1) launch_ranks_if_asked(args->nproc, global, checkpoint_timeout_s(args->checkpoint));
    run_eval(*args, global);
  });
}

const bool registered = register_command({"eval", setup_eval});

}  // namespace
}  // namespace ropelm::cli
