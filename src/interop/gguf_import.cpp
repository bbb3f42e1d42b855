// Import: GGUF → config.json + model.safetensors + tokenizer files in a scratch directory → import_hf.
#include "interop/gguf_import.h"

#include <spdlog/spdlog.h>

#include "checkpoint/safetensors_writer.h"
#include "interop/gguf_file.h"
#include "interop/gguf_llama.h"
#include "interop/gguf_tokenizer.h"
#include "interop/hf_config.h"
#include "interop/hf_import.h"
#include "interop/output_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/publish_dir.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// Removes the scratch directory however the import ends.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

void import_gguf(const GgufImportOptions& options) {
  require_free_output(options.out);
  const GgufFile file = read_gguf(options.gguf);
  const std::string origin = options.gguf.string();
  nlohmann::json hf_config;
  NamedTensors tensors;
  try {
    hf_config = hf_config_from_gguf(file);
    parse_hf_config(hf_config, options.base.model,
                    origin);  // refusals name the GGUF file, not the scratch copy
    if (gguf_string_array(file, "tokenizer.ggml.tokens").size() != hf_config.at("vocab_size").get<size_t>())
      throw UserError("tokenizer.ggml.tokens does not have llama.vocab_size entries");
    tensors = hf_tensors_from_gguf(file, hf_config);
  } catch (const UserError& error) {
    throw UserError(origin + ": " + error.what());
  }
  ScratchDir scratch{scratch_sibling(options.out, "gguf")};
  fs::remove_all(scratch.path);
  fs::create_directories(scratch.path);
  write_file_atomic(scratch.path / "config.json", hf_config.dump(2) + "\n");
  save_safetensors(scratch.path / "model.safetensors", tensors, {{"format", "pt"}});
  try {
    write_tokenizer_files_from_gguf(file, scratch.path);
  } catch (const UserError& error) {
    throw UserError(origin + ": " + error.what());
  }
  import_hf({scratch.path, options.out, options.base});
  spdlog::info("imported GGUF {} into {}", origin, options.out.string());
}

}  // namespace ropelm
