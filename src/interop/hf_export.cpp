// Export: open the checkpoint, map its weights and config to HF Llama's, write the directory atomically.
#include "interop/hf_export.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "checkpoint/safetensors_writer.h"
#include "interop/hf_config.h"
#include "interop/hf_tensor_names.h"
#include "interop/hf_tokenizer_files.h"
#include "interop/output_dir.h"
#include "run/run_checkpoint.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/publish_dir.h"

namespace ropelm {
namespace fs = std::filesystem;

NamedTensors hf_model_tensors(const Transformer& model) {
  check_hf_exportable(model->options());
  std::map<std::string, torch::Tensor> parameters;
  for (const auto& item : model->named_parameters()) parameters[item.key()] = item.value().detach().cpu();
  return to_hf_tensors(model->options(), parameters);
}

namespace {

// Everything of the export directory, written into dir.
void write_hf_directory(const LoadedCheckpoint& loaded, const fs::path& dir) {
  const Config& config = loaded.config;
  const TransformerOptions& options = loaded.model->options();
  // The context the model was trained on; a model.max_seq_len beyond it is what the user declared usable.
  const int64_t max_positions = std::max(config.data.context_length, options.max_seq_len());
  HfSpecialTokens tokens = hf_special_tokens(config.tokenizer, *loaded.tokenizer);
  write_file_atomic(dir / "config.json", hf_config_json(options, tokens, max_positions).dump(2) + "\n");
  // transformers' load_state_dict refuses safetensors files whose metadata format is not "pt".
  save_safetensors(dir / "model.safetensors", hf_model_tensors(loaded.model), {{"format", "pt"}});
  write_hf_tokenizer_files(config.tokenizer, *loaded.tokenizer, max_positions, dir);
}

}  // namespace

void export_hf(const HfExportOptions& options) {
  require_free_output(options.out);
  LoadedCheckpoint loaded = open_checkpoint(options.checkpoint, torch::kCPU);
  check_hf_exportable(loaded.model->options());  // before anything is written
  fs::path temp = scratch_sibling(options.out, "export");
  try {
    fs::remove_all(temp);
    fs::create_directory(temp);
    write_hf_directory(loaded, temp);
    publish_directory(temp, options.out);
  } catch (const std::exception& error) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw UserError("cannot export to " + options.out.string() + ": " + error.what());
  }
  spdlog::info("exported {} (step {}) to {} as LlamaForCausalLM", options.checkpoint.string(),
               loaded.state.step, options.out.string());
}

}  // namespace ropelm
