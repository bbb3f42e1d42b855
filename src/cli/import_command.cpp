// `ropelm import`: a Hugging Face Llama directory as a ropelm checkpoint.
#include "cli/command.h"
#include "interop/hf_import.h"

namespace ropelm::cli {
namespace {

struct ImportArgs {
  std::string hf;
  std::string out;
  ConfigArgs config;
};

void setup_import(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* command = app.add_subcommand(
      "import", "import a Hugging Face Llama directory (safetensors) as a ropelm checkpoint at step 0");
  command
      ->add_option("--hf", args->hf, "Hugging Face model directory (config.json, *.safetensors, tokenizer)")
      ->required();
  command->add_option("--out", args->out, "checkpoint directory to create (must not exist)")->required();
  // The optional config supplies what config.json does not: data, optim, train, dropout, ...
  add_config_options(*command, args->config, /*required=*/false);
  command->callback([args, &global] {
    import_hf({args->hf, args->out, resolve_config(args->config, global)});
  });
}

const bool registered = register_command({75, "import", setup_import});

}  // namespace
}  // namespace ropelm::cli
