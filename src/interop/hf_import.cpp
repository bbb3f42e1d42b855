// Import: config.json → Config, HF tensors → ropelm parameters, then an ordinary checkpoint moved into place.
#include "interop/hf_import.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "checkpoint/checkpoint_dir.h"
#include "config/load.h"
#include "interop/hf_config.h"
#include "interop/hf_tensor_names.h"
#include "interop/hf_tokenizer_files.h"
#include "interop/hf_weight_files.h"
#include "interop/output_dir.h"
#include "run/run_checkpoint.h"
#include "run/training_state.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/publish_dir.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// The run config: base with the model and tokenizer the HF directory describes.
Config imported_config(const HfImportOptions& options, int64_t* vocab_size) {
  fs::path config_path = options.hf_dir / "config.json";
  if (!fs::is_regular_file(config_path)) throw UserError(options.hf_dir.string() + " has no config.json");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(config_path));
  } catch (const nlohmann::json::exception& error) {
    throw UserError("invalid " + config_path.string() + ": " + error.what());
  }
  HfModelConfig hf = parse_hf_config(json, options.base.model, config_path.string());
  Config config = options.base;
  config.model = hf.model;
  config.tokenizer = tokenizer_config_from_hf(options.hf_dir, options.base.tokenizer);
  if (config.data.context_length > hf.max_position_embeddings) {
    spdlog::info("data.context_length {} capped at max_position_embeddings {}", config.data.context_length,
                 hf.max_position_embeddings);
    config.data.context_length = hf.max_position_embeddings;
    config.data.stride = std::min(config.data.stride, config.data.context_length);
  }
  *vocab_size = hf.vocab_size;
  return config;
}

// The checkpoint's contents; the model is built (and its weights loaded) to check every name and shape.
CheckpointContents imported_contents(const HfImportOptions& options, const Config& config,
                                     int64_t vocab_size) {
  auto tokenizer = make_tokenizer(config.tokenizer);
  if (tokenizer->vocab_size() != vocab_size) {
    throw UserError("config.json vocab_size = " + std::to_string(vocab_size) + " but the tokenizer (" +
                    config.tokenizer.vocab + ") has " + std::to_string(tokenizer->vocab_size()) +
                    " tokens; ropelm needs them equal");
  }
  // Every tensor's name and shape is checked against config.json before the model is built: a config.json
  // that the weights contradict (num_hidden_layers = 100000) fails here, not after allocating its model.
  CheckpointContents contents;
  contents.model = from_hf_tensors(from_config(config.model, vocab_size, config.data.context_length),
                                   load_hf_weights(options.hf_dir));
  Transformer model = build_model(config, vocab_size);
  load_model_weights(model, contents, options.hf_dir);
  // No optimizer moments: a step-0 checkpoint resumes with a fresh optimizer's zeros.
  contents.trainer_state = to_json(TrainingState{});
  contents.config_toml = to_toml(config);
  contents.tokenizer_files = tokenizer_files(config.tokenizer);
  return contents;
}

}  // namespace

void import_hf(const HfImportOptions& options) {
  require_free_output(options.out);
  int64_t vocab_size = 0;
  Config config = imported_config(options, &vocab_size);
  CheckpointContents contents = imported_contents(options, config, vocab_size);
  // save_checkpoint writes run_dir/checkpoints/step_N; a scratch run dir beside out holds it until the
  // rename.
  fs::path scratch_run = scratch_sibling(options.out, "import");
  try {
    fs::remove_all(scratch_run);
    publish_directory(save_checkpoint(scratch_run, 0, contents), options.out);
    fs::remove_all(scratch_run);
  } catch (const std::exception& error) {
    std::error_code ignored;
    fs::remove_all(scratch_run, ignored);
    throw UserError("cannot import into " + options.out.string() + ": " + error.what());
  }
  spdlog::info("imported {} into {} ({} layers, d_model {}, vocab {})", options.hf_dir.string(),
               options.out.string(), config.model.n_layers, config.model.d_model, vocab_size);
}

}  // namespace ropelm
