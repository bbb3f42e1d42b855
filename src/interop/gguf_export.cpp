// Export: the HF Llama form of the checkpoint (hf_config_json, hf_model_tensors) encoded as GGUF, the path
// llama.cpp's convert_hf_to_gguf.py takes, without Python.
#include "interop/gguf_export.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "interop/gguf_llama.h"
#include "interop/gguf_tokenizer.h"
#include "interop/hf_config.h"
#include "interop/hf_export.h"
#include "interop/hf_tokenizer_files.h"
#include "run/run_checkpoint.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;

GgufFile llama_gguf_file(const Transformer& model, const Config& config, const Tokenizer& tokenizer,
                         GgmlType dtype, const std::string& name) {
  const TransformerOptions& options = model->options();
  check_hf_exportable(options);
  // As the HF export: the context the model was trained on, or a longer model.max_seq_len the user declared.
  const int64_t max_positions = std::max(config.data.context_length, options.max_seq_len());
  const nlohmann::json hf_config =
      hf_config_json(options, hf_special_tokens(config.tokenizer, tokenizer), max_positions);
  GgufFile file;
  add_llama_metadata(file, hf_config, name, dtype);
  add_tokenizer_metadata(file, config.tokenizer, tokenizer);
  file.tensors = llama_gguf_tensors(hf_model_tensors(model), hf_config, dtype);
  return file;
}

void export_gguf(const GgufExportOptions& options) {
  if (fs::exists(options.out))
    throw UserError("output " + options.out.string() + " already exists; remove it or choose another --out");
  LoadedCheckpoint loaded = open_checkpoint(options.checkpoint, torch::kCPU);
  const std::string name = fs::path(options.out).stem().string();
  GgufFile file = llama_gguf_file(loaded.model, loaded.config, *loaded.tokenizer, options.dtype, name);
  std::error_code error;
  if (fs::path parent = fs::absolute(options.out).parent_path(); !fs::exists(parent))
    fs::create_directories(parent, error);
  if (error) throw UserError("cannot create the parent of " + options.out.string() + ": " + error.message());
  write_gguf(options.out, file);
  spdlog::info("exported {} (step {}) to {} as GGUF llama ({}, {} tensors)", options.checkpoint.string(),
               loaded.state.step, options.out.string(), ggml_type_info(options.dtype).name,
               file.tensors.size());
}

}  // namespace ropelm
