// save_checkpoint (temp dir, manifest last, rename into place) and load_checkpoint (verify, then load).
#include "checkpoint/checkpoint_dir.h"

#include <cstdio>
#include <set>

#include "checkpoint/checkpoint_manifest.h"
#include "checkpoint/safetensors_reader.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/publish_dir.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// Safetensors metadata that Hugging Face loaders (transformers' load_state_dict) check for PyTorch weights.
const std::map<std::string, std::string> kTorchMetadata = {{"format", "pt"}};

std::string step_name(int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step_%08lld", static_cast<long long>(step));
  return name;
}

// Copies the tokenizer files into dir under their own names, which must not clash with the fixed files.
std::vector<std::string> copy_tokenizer_files(const fs::path& dir, const std::vector<fs::path>& sources) {
  std::set<std::string> taken = {kModelFile, kOptimizerFile, kTrainerStateFile, kConfigFile, kManifestFile};
  std::vector<std::string> names;
  for (const auto& source : sources) {
    std::string name = source.filename().string();
    if (!fs::is_regular_file(source)) {
      throw UserError("tokenizer file " + source.string() + " is not a regular file");
    }
    if (!taken.insert(name).second) {
      throw UserError("tokenizer file " + source.string() + " clashes with another checkpoint file named " +
                      name);
    }
    write_file_atomic(dir / name, read_file(source));
    names.push_back(name);
  }
  return names;
}

// Writes every file of the checkpoint into dir (each fsynced by write_file_atomic), the manifest last.
void write_contents(const fs::path& dir, int64_t step, const CheckpointContents& contents) {
  save_safetensors(dir / kModelFile, contents.model, kTorchMetadata);
  save_safetensors(dir / kOptimizerFile, contents.optimizer, kTorchMetadata);
  write_file_atomic(dir / kTrainerStateFile, contents.trainer_state.dump(2) + "\n");
  write_file_atomic(dir / kConfigFile, contents.config_toml);
  std::vector<std::string> tokenizer_names = copy_tokenizer_files(dir, contents.tokenizer_files);
  std::vector<std::string> files = {kModelFile, kOptimizerFile, kTrainerStateFile, kConfigFile};
  files.insert(files.end(), tokenizer_names.begin(), tokenizer_names.end());
  write_manifest(dir, step, files, tokenizer_names);
}

}  // namespace

fs::path checkpoint_dir_for(const fs::path& run_dir, int64_t step) {
  return run_dir / "checkpoints" / step_name(step);
}

fs::path save_checkpoint(const fs::path& run_dir, int64_t step, const CheckpointContents& contents) {
  if (step < 0) throw std::invalid_argument("save_checkpoint: negative step " + std::to_string(step));
  fs::path target = checkpoint_dir_for(run_dir, step);
  fs::path checkpoints = target.parent_path();
  fs::path temp = scratch_sibling(target, "new");  // ".tmp_" names are cleaned up by prune_checkpoints
  try {
    if (fs::create_directories(checkpoints)) fsync_path(checkpoints.parent_path());
    fs::remove_all(temp);
    fs::create_directory(temp);
    write_contents(temp, step, contents);
    publish_directory(temp, target);
  } catch (const std::exception& error) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw UserError("cannot save checkpoint " + target.string() + ": " + error.what());
  }
  return target;
}

VerifiedCheckpoint load_checkpoint(const fs::path& dir) {
  CheckpointManifest manifest = check_checkpoint(dir, /*hash_files=*/true);
  VerifiedCheckpoint checkpoint;
  checkpoint.dir = dir;
  checkpoint.step = manifest.step;
  checkpoint.contents.model = load_safetensors(dir / kModelFile);
  checkpoint.contents.optimizer = load_safetensors(dir / kOptimizerFile);
  fs::path state_path = dir / kTrainerStateFile;
  try {
    checkpoint.contents.trainer_state = nlohmann::json::parse(read_file(state_path));
  } catch (const nlohmann::json::exception& error) {
    throw UserError("invalid checkpoint file " + state_path.string() + ": " + error.what());
  }
  checkpoint.contents.config_toml = read_file(dir / kConfigFile);
  for (const auto& name : manifest.tokenizer_files) checkpoint.contents.tokenizer_files.push_back(dir / name);
  return checkpoint;
}

}  // namespace ropelm
