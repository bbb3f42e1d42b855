// `ropelm export`: a checkpoint in another framework's format (Hugging Face Llama, or GGUF for llama.cpp).
#include "cli/command.h"
#include "interop/gguf_export.h"
#include "interop/gguf_tensor_codec.h"
#include "interop/hf_export.h"
#include "run/checkpoint_choice.h"
#include "util/error.h"

namespace ropelm::cli {
namespace {

struct ExportArgs {
  std::string checkpoint;
  std::string format = "hf";
  std::string dtype;  // gguf only; empty: f32
  std::string out;
};

void run_export(const ExportArgs& args) {
  if (args.format == "hf") {
    if (!args.dtype.empty()) throw UserError("--dtype applies to --format gguf only (hf exports fp32)");
    export_hf({args.checkpoint, args.out});
    return;
  }
  export_gguf({args.checkpoint, args.out, ggml_type_from_dtype(args.dtype.empty() ? "f32" : args.dtype)});
}

void setup_export(CLI::App& app, const GlobalOptions&) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* command = app.add_subcommand(
      "export", "export a checkpoint as a Hugging Face Llama model directory or a GGUF file for llama.cpp");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint directory")->required();
  command
      ->add_option("--format", args->format,
                   "output format (hf: LlamaForCausalLM + tokenizer files; gguf: one llama.cpp file)")
      ->check(CLI::IsMember({"hf", "gguf"}))
      ->capture_default_str();
  command
      ->add_option("--dtype", args->dtype,
                   "gguf matrix type: f32 (default), f16, bf16 or q8_0 (norms stay f32)")
      ->check(CLI::IsMember({"f32", "f16", "bf16", "q8_0"}));
  command->add_option("--out", args->out, "output directory (hf) or .gguf file (gguf); must not exist")
      ->required();
  command->callback([args] {
    args->checkpoint = resolve_checkpoint_dir(args->checkpoint, RunDirChoice::kBestElseNewest).string();
    run_export(*args);
  });
}

const bool registered = register_command({"export", setup_export});

}  // namespace
}  // namespace ropelm::cli
