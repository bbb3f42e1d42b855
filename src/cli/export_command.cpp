// `ropelm export`: a checkpoint in another framework's format (Hugging Face Llama).
#include "cli/command.h"
#include "interop/hf_export.h"

namespace ropelm::cli {
namespace {

struct ExportArgs {
  std::string checkpoint;
  std::string format = "hf";
  std::string out;
};

void setup_export(CLI::App& app, const GlobalOptions&) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* command =
      app.add_subcommand("export", "export a checkpoint as a Hugging Face Llama model directory");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint directory")->required();
  command->add_option("--format", args->format, "output format (hf: LlamaForCausalLM + tokenizer files)")
      ->check(CLI::IsMember({"hf"}))
      ->capture_default_str();
  command->add_option("--out", args->out, "output directory (must not exist)")->required();
  command->callback([args] { export_hf({args->checkpoint, args->out}); });
}

const bool registered = register_command({70, "export", setup_export});

}  // namespace
}  // namespace ropelm::cli
