// Config comparison for resume.
#include "train/resume_policy.h"

#include <fmt/format.h>

#include <map>

#include "checkpoint/checkpoint_manifest.h"
#include "config/keys.h"
#include "config/load.h"
#include "run/run_checkpoint.h"
#include "util/sha256.h"

namespace ropelm {
namespace {

// Keys whose change would alter the model, the token stream or the batch sequence. data.batch_size and
// train.grad_accum are judged together with the world size by the trainer: the global batch must not change.
bool breaks_exactness(const KeySpec& key) {
  if (key.section == "model" || key.section == "tokenizer") return true;
  if (key.full_name() == "data.batch_size" || key.full_name() == "train.grad_accum") return false;
  if (key.section == "data") return key.name != "cache_dir";
  return key.full_name() == "train.seed";
}

// Input paths compare by the file they name, resolved from the working directory: checkpoints written before
// runs saved their inputs as absolute paths say "data/x.txt" where the run now says "/repo/data/x.txt".
Config with_absolute_inputs(Config config) {
  auto make_absolute = [](std::string& path) {
    if (!path.empty()) path = std::filesystem::absolute(path).lexically_normal().string();
  };
  make_absolute(config.tokenizer.vocab);
  make_absolute(config.tokenizer.merges);
  for (auto& path : config.data.train) make_absolute(path);
  for (auto& path : config.data.val) make_absolute(path);
  make_absolute(config.data.cache_dir);
  return config;
}

}  // namespace

std::vector<std::string> tokenizer_file_changes(const std::filesystem::path& checkpoint_dir,
                                                const TokenizerConfig& now) {
  std::map<std::string, std::string> saved;
  for (const auto& file : check_checkpoint(checkpoint_dir, /*hash_files=*/false).files)
    saved[file.name] = file.sha256;
  std::vector<std::string> changes;
  for (const auto& path : tokenizer_files(now)) {  // the files a checkpoint copies
    if (path.empty()) continue;                    // a tokenizer without files (bytes)
    auto found = saved.find(path.filename().string());
    if (found == saved.end()) continue;  // another file name: the config diff names the change
    std::string hash = sha256_file(path);
    if (hash != found->second) {
      changes.push_back("tokenizer file " + path.string() + " changed since the checkpoint (sha256 " +
                        found->second.substr(0, 12) + "… -> " + hash.substr(0, 12) + "…)");
    }
  }
  return changes;
}

std::string corpus_checksum(const Corpus& corpus) {
  std::string text = fmt::format("train {:016x}", corpus.train_cache().header().checksum);
  if (corpus.val_cache()) text += fmt::format(", val {:016x}", corpus.val_cache()->header().checksum);
  return text;
}

ConfigDiff diff_for_resume(const Config& saved_config, const Config& now_config) {
  const Config saved = with_absolute_inputs(saved_config), now = with_absolute_inputs(now_config);
  ConfigDiff diff;
  for (const auto& key : config_keys()) {
    std::string before = value_text(saved, key), after = value_text(now, key);
    if (before == after) continue;
    (breaks_exactness(key) ? diff.breaking : diff.allowed)
        .push_back(key.full_name() + ": " + before + " -> " + after);
  }
  return diff;
}

}  // namespace ropelm
