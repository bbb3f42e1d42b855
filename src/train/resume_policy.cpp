// Config comparison for resume.
#include "train/resume_policy.h"

#include "config/keys.h"
#include "config/load.h"

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

}  // namespace

ConfigDiff diff_for_resume(const Config& saved, const Config& now) {
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
