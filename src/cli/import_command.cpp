// `ropelm import`: a Hugging Face Llama directory or a llama GGUF file as a ropelm checkpoint.
#include "cli/command.h"
#include "interop/gguf_import.h"
#include "interop/hf_import.h"
#include "util/error.h"

namespace ropelm::cli {
namespace {

struct ImportArgs {
  std::string hf;
  std::string gguf;
  std::string out;
  ConfigArgs config;
};

void setup_import(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* command = app.add_subcommand(
      "import",
      "import a Hugging Face Llama directory (safetensors) or a llama GGUF file as a ropelm checkpoint "
      "at step 0");
  auto* hf = command->add_option("--hf", args->hf,
                                 "Hugging Face model directory (config.json, *.safetensors, tokenizer)");
  command
      ->add_option("--gguf", args->gguf, "GGUF file of architecture llama (F32, F16, BF16 or Q8_0 tensors)")
      ->excludes(hf);
  command->add_option("--out", args->out, "checkpoint directory to create (must not exist)")->required();
  // The optional config supplies what the model files do not: data, optim, train, dropout, ...
  add_config_options(*command, args->config, /*required=*/false);
  command->callback([args, &global] {
    if (args->hf.empty() && args->gguf.empty()) throw UserError("import needs --hf DIR or --gguf FILE");
    Config base = resolve_config(args->config, global);
    if (!args->gguf.empty()) {
      import_gguf({args->gguf, args->out, base});
    } else {
      import_hf({args->hf, args->out, base});
    }
  });
}

const bool registered = register_command({"import", setup_import});

}  // namespace
}  // namespace ropelm::cli
