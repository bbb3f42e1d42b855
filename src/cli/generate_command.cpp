// `ropelm generate`: sample a continuation of a prompt, streaming the decoded text.
#include <iostream>

#include "cli/command.h"
#include "eval/generate.h"
#include "model/autocast_guard.h"
#include "run/checkpoint_choice.h"
#include "run/device.h"
#include "run/precision.h"
#include "run/run_checkpoint.h"

namespace ropelm::cli {
namespace {

struct GenerateArgs {
  std::string checkpoint;
  std::string prompt;
  SamplingOptions sampling;
  std::optional<Precision> precision;  // empty: the checkpoint's
};

void run_generate(const GenerateArgs& args, const GlobalOptions& global) {
  args.sampling.validate();  // before the prompt is echoed
  torch::Device device = select_device(global.device.empty() ? "auto" : global.device);
  if (global.threads >= 0) set_cpu_threads(global.threads);
  LoadedCheckpoint loaded =
      open_checkpoint(resolve_checkpoint_dir(args.checkpoint, RunDirChoice::kBestElseNewest), device);
  ResolvedPrecision precision =
      inference_precision(args.precision, loaded.state.precision, device_bf16_facts(device));
  log_inference_precision(precision);
  const Tokenizer& tokenizer = *loaded.tokenizer;
  std::vector<TokenId> prompt = tokenizer.encode(args.prompt);
  SamplingOptions sampling = args.sampling;
  const int64_t limit = generation_limit(loaded.config.data.context_length, loaded.config.model.max_seq_len);
  sampling.max_new_tokens = fitting_new_tokens(sampling.max_new_tokens, std::ssize(prompt), limit);
  sampling.never_sample = unsampled_ids(tokenizer);
  std::vector<TokenId> so_far = prompt;
  std::string printed = tokenizer.decode(so_far);
  std::cout << printed << std::flush;
  // Decoding the whole sequence each time and printing the new suffix keeps the decoder's spacing rules
  // right.
  AutocastGuard autocast(device, precision.precision == Precision::kBf16);
  generate(loaded.model, prompt, sampling, tokenizer.end_of_document_id(), device, [&](TokenId id) {
    so_far.push_back(id);
    std::string text = tokenizer.decode(so_far);
    if (text.compare(0, printed.size(), printed) == 0) std::cout << text.substr(printed.size()) << std::flush;
    printed = text;
  });
  std::cout << "\n";
}

void setup_generate(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* command = app.add_subcommand("generate", "sample text from a checkpoint");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint directory")->required();
  command->add_option("--prompt", args->prompt, "text to continue")->required();
  command->add_option("--max-new-tokens", args->sampling.max_new_tokens, "tokens to sample")
      ->capture_default_str();
  command->add_option("--temperature", args->sampling.temperature, "0 = greedy")->capture_default_str();
  command->add_option("--top-k", args->sampling.top_k, "sample among the k most likely (0 = off)")
      ->capture_default_str();
  command->add_option("--top-p", args->sampling.top_p, "nucleus sampling mass (1 = off)")
      ->capture_default_str();
  command->add_option("--seed", args->sampling.seed, "sampling seed")->capture_default_str();
  add_choice_option(*command, "--precision", args->precision,
                    "bf16 = mixed precision, auto = bf16 where the device does it fast; default: the "
                    "checkpoint's");
  command->callback([args, &global] { run_generate(*args, global); });
}

const bool registered = register_command({"generate", setup_generate});

}  // namespace
}  // namespace ropelm::cli
