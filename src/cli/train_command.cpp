// `ropelm train`: resolve the config and run dir, then hand over to the trainer.
#include "cli/command.h"
#include "cli/nproc.h"
#include "run/checkpoint_choice.h"
#include "train/trainer.h"

namespace ropelm::cli {
namespace {

struct TrainArgs {
  ConfigArgs config;
  std::string run_dir;
  std::string resume;
  bool force = false;
  bool overwrite = false;
  int nproc = 1;
};

std::string resume_hint(const TrainArgs& args, const std::string& run_dir) {
  std::string hint = "ropelm train --config " + args.config.path;
  for (const auto& set : args.config.sets) hint += " --set " + set;
  return hint + " --run-dir " + run_dir + " --resume auto";
}

void setup_train(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* command = app.add_subcommand("train", "train a model (resumable: --resume auto)");
  add_config_options(*command, args->config);
  command->add_option("--run-dir", args->run_dir,
                      "where logs, metrics and checkpoints go (default: runs/<config name>)");
  command
      ->add_option("--resume", args->resume,
                   "auto (newest valid checkpoint of the run dir; also --resume alone), a checkpoint dir, or "
                   "a run dir (its newest valid checkpoint)")
      ->expected(0, 1)
      ->default_str("auto");
  command->add_flag(
      "--force", args->force,
      "resume despite changes that break exactness (config, corpus, tokenizer files); never a change of "
      "weight shapes");
  command->add_flag("--overwrite", args->overwrite,
                    "start over in a run dir that has checkpoints: removes them (logged)");
  add_nproc_option(*command, args->nproc);
  command->callback([args, &global] {
    Config config = resolve_config_with_inputs(args->config, global, /*with_data=*/true);
    launch_ranks_if_asked(args->nproc, global, config.distributed.timeout_s);
    TrainOptions options;
    options.run_dir = args->run_dir.empty() ? "runs/" + config.name : args->run_dir;
    options.resume = args->resume == "auto" || args->resume.empty()
                         ? args->resume
                         : resolve_checkpoint_dir(args->resume, RunDirChoice::kNewest).string();
    options.force = args->force;
    options.overwrite = args->overwrite;
    options.program = global.argv.empty() ? "ropelm" : global.argv.front();
    options.resume_hint = resume_hint(*args, options.run_dir.string());
    train(config, options);
  });
}

const bool registered = register_command({"train", setup_train});

}  // namespace
}  // namespace ropelm::cli
