// `ropelm study --config FILE`: train the config once per position encoding and compare how each scores past
// the training length (src/study/position_study.h).
#include "cli/command.h"
#include "study/position_study.h"

namespace ropelm::cli {
namespace {

struct StudyArgs {
  ConfigArgs config;
  std::string out;
};

std::string again_hint(const StudyArgs& args, const std::string& out) {
  std::string hint = "ropelm study --config " + args.config.path;
  for (const auto& set : args.config.sets) hint += " --set " + set;
  return hint + " --out " + out;
}

void setup_study(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<StudyArgs>();
  CLI::App* command = app.add_subcommand(
      "study",
      "train one model per position encoding (study.positions) and compare their perplexity at "
      "growing evaluation lengths; call it again to continue");
  add_config_options(*command, args->config);
  command->add_option("--out", args->out,
                      "the study's directory: a run dir per encoding, results.csv/.md/.png (default: "
                      "runs/<config name>-study)");
  command->callback([args, &global] {
    Config config = resolve_config_with_inputs(args->config, global, /*with_data=*/true);
    StudyOptions options;
    options.out_dir = args->out.empty() ? "runs/" + config.name + "-study" : args->out;
    options.program = global.argv.empty() ? "ropelm" : global.argv.front();
    options.again_hint = again_hint(*args, options.out_dir.string());
    run_study(config, options);
  });
}

const bool registered = register_command({"study", setup_study});

}  // namespace
}  // namespace ropelm::cli
