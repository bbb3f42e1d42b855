// `ropelm info`: what a checkpoint holds, after verifying every file against its manifest.
#include <spdlog/fmt/fmt.h>

#include <iostream>

#include "cli/command.h"
#include "model/model_stats.h"
#include "run/checkpoint_choice.h"
#include "run/run_checkpoint.h"

namespace ropelm::cli {
namespace {

void run_info(const std::string& dir) {
  LoadedCheckpoint loaded = open_checkpoint(dir, torch::kCPU);  // verifies sizes and sha256 of every file
  const Config& c = loaded.config;
  const TrainingState& s = loaded.state;
  ParameterCounts counts = count_parameters(*loaded.model);
  std::cout << fmt::format("checkpoint      {}\n", dir)
            << fmt::format("files           verified (manifest sizes and sha256)\n")
            << fmt::format(
                   "model           d_model {}, {} layers, {} heads ({} kv), {} mlp, {}, position {}{}\n",
                   c.model.d_model, c.model.n_layers, c.model.n_heads,
                   c.model.n_kv_heads ? c.model.n_kv_heads : c.model.n_heads, choice_name(c.model.mlp),
                   choice_name(c.model.norm), choice_name(c.model.position),
                   c.model.position == PositionKind::kRope
                       ? " (" + std::string(choice_name(c.model.rope_style)) + ")"
                       : "")
            << fmt::format("parameters      {} ({} non-embedding)\n", counts.total, counts.non_embedding)
            << fmt::format("tokenizer       {} {} (vocab {})\n", choice_name(c.tokenizer.type),
                           c.tokenizer.vocab, loaded.tokenizer->vocab_size())
            << fmt::format("data            context {}, stride {}, batch {}\n", c.data.context_length,
                           c.data.stride, c.data.batch_size)
            << fmt::format("step            {} of {}\n", s.step, c.train.steps)
            << fmt::format("tokens seen     {}\n", s.tokens_seen)
            << fmt::format("precision       {} (train.precision = {})\n",
                           s.precision.empty() ? "not recorded" : s.precision, choice_name(c.train.precision))
            << fmt::format("val loss        {}\n",
                           s.val_loss ? fmt::format("{:.4f} (this checkpoint's step)", *s.val_loss)
                                      : std::string("not validated at this step"))
            << fmt::format("best val loss   {}\n",
                           s.best_val_loss ? fmt::format("{:.4f} (the run's best so far, step {})",
                                                         *s.best_val_loss, *s.best_step)
                                           : std::string("none"));
}

void setup_info(CLI::App& app, const GlobalOptions&) {
  auto dir = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("info", "summarise and verify a checkpoint");
  command->add_option("--checkpoint", *dir, "checkpoint directory")->required();
  command->callback(
      [dir] { run_info(resolve_checkpoint_dir(*dir, RunDirChoice::kBestElseNewest).string()); });
}

const bool registered = register_command({"info", setup_info});

}  // namespace
}  // namespace ropelm::cli
