// The study: plan → train each model (or skip it) → score each variant at each length → write the results.
#include "study/position_study.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "checkpoint/checkpoint_dir.h"
#include "checkpoint/checkpoint_manifest.h"
#include "checkpoint/checkpoint_retention.h"
#include "config/load.h"
#include "data/corpus.h"
#include "data/data_options.h"
#include "eval/eval_options.h"
#include "eval/perplexity.h"
#include "plot/length_plot.h"
#include "run/device.h"
#include "run/run_checkpoint.h"
#include "study/study_eval_cache.h"
#include "study/study_plan.h"
#include "study/study_results.h"
#include "train/resume_policy.h"
#include "train/stop_signal.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/file_lock.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// The trainer adds run_dir/train.log to the default logger; removing it again after each model keeps every
// model's lines in its own train.log.
class LogSinksRestorer {
 public:
  LogSinksRestorer() : sinks_(spdlog::default_logger()->sinks()), level_(spdlog::default_logger()->level()) {}
  ~LogSinksRestorer() {
    spdlog::default_logger()->sinks() = sinks_;
    spdlog::default_logger()->set_level(level_);
  }
  LogSinksRestorer(const LogSinksRestorer&) = delete;
  LogSinksRestorer& operator=(const LogSinksRestorer&) = delete;

 private:
  std::vector<spdlog::sink_ptr> sinks_;
  spdlog::level::level_enum level_;
};

void announce_stop(const StudyOptions& options) {
  spdlog::info("study stopped; continue it with: {}", options.again_hint);
}

// The newest valid checkpoint of a model's run dir, refused when it was trained with another config than the
// study now asks for (changes that would break an exact resume, as `train --resume` judges them).
std::optional<VerifiedCheckpoint> existing_checkpoint(const StudyModel& model) {
  if (!fs::exists(model.run_dir)) return std::nullopt;
  std::optional<fs::path> newest = newest_valid_checkpoint(model.run_dir);
  if (!newest) return std::nullopt;
  VerifiedCheckpoint checkpoint = load_checkpoint(*newest);
  Config saved = parse_config_text(checkpoint.contents.config_toml, (*newest / "config.toml").string());
  ConfigDiff diff = diff_for_resume(saved, model.config);
  if (!diff.breaking.empty()) {
    std::string changes;
    for (const auto& change : diff.breaking) changes += (changes.empty() ? "" : "; ") + change;
    throw UserError("study: " + model.run_dir.string() + " was trained with another config (" + changes +
                    "): remove that run dir, or choose another --out");
  }
  return checkpoint;
}

// Trains a model to train.steps, resuming its run dir; a finished one is skipped.
void train_model(const StudyModel& model, const StudyOptions& options) {
  std::optional<VerifiedCheckpoint> existing = existing_checkpoint(model);
  const int64_t steps = model.config.train.steps;
  if (existing && existing->step >= steps) {
    spdlog::info("study: {} is trained (step {} of {}): skipping its training", choice_name(model.position),
                 existing->step, steps);
    return;
  }
  spdlog::info("study: training {} in {}{}", choice_name(model.position), model.run_dir.string(),
               existing ? " from step " + std::to_string(existing->step) : "");
  TrainOptions train_options;
  train_options.run_dir = model.run_dir;
  train_options.resume = "auto";
  train_options.program = options.program;
  train_options.resume_hint = options.again_hint;
  LogSinksRestorer restore_logging;
  train(model.config, train_options);
}

// What a score depends on: the weights (their sha256 in the manifest), the extension, the length, the tokens.
std::string score_key(const std::string& model_sha256, const StudyVariant& variant, double factor,
                      int64_t length, int64_t tokens) {
  return model_sha256.substr(0, 16) + " " + std::string(choice_name(variant.rope_scaling)) + " " +
         fmt::format("{:.17g}", factor) + " " + std::to_string(length) + " " + std::to_string(tokens);
}

std::string model_sha256(const fs::path& checkpoint) {
  for (const auto& file : read_manifest(checkpoint).files)
    if (file.name == kModelFile) return file.sha256;
  throw UserError(checkpoint.string() + ": the manifest lists no " + std::string(kModelFile));
}

// Scores every variant of one model at every length; false when a stop signal cut it short.
bool score_model(const StudyModel& model, const StudyPlan& plan, const Config& config,
                 std::vector<StudyResult>& results) {
  std::optional<fs::path> checkpoint = newest_valid_checkpoint(model.run_dir);
  if (!checkpoint) throw UserError("study: " + model.run_dir.string() + " has no valid checkpoint to score");
  torch::Device device = select_device(config.train.device);
  LoadedCheckpoint loaded = open_checkpoint(*checkpoint, device);
  Corpus corpus = Corpus::load(corpus_options(loaded.config), *loaded.tokenizer, CacheAccess::kOpenOrBuild);
  TokenView tokens = corpus.val();
  if (tokens.size() < 2) {
    throw UserError("study: the config has no validation split to score: set data.val or data.val_fraction");
  }
  if (config.study.eval_tokens > 0 && config.study.eval_tokens + 1 < tokens.size())
    tokens = tokens.slice(0, config.study.eval_tokens + 1);  // scores positions 1 .. eval_tokens
  const TransformerOptions trained_scaling = loaded.model->options();
  StudyEvalCache cache(model.run_dir / "study_evals.jsonl");
  const std::string sha = model_sha256(*checkpoint);
  for (const auto& variant : plan.variants) {
    if (variant.position != model.position) continue;
    for (int64_t length : plan.lengths) {
      if (stop_requested()) return false;
      StudyResult result{variant, length, 1.0, std::nullopt};
      if (variant.rope_scaling != RopeScaling::kNone)
        result.factor = std::max(1.0, static_cast<double>(length) / static_cast<double>(plan.trained_length));
      if (length > loaded.model->max_positions()) {  // a learned table: not an error, a finding
        results.push_back(result);
        continue;
      }
      const std::string key = score_key(sha, variant, result.factor, length, tokens.size());
      result.score = cache.find(key);
      if (!result.score) {
        if (variant.rope_scaling != RopeScaling::kNone) {
          loaded.model->set_rope_scaling(variant.rope_scaling, result.factor);
        } else if (loaded.model->rotary()) {  // back to the RoPE the model was trained with
          loaded.model->set_rope_scaling(trained_scaling.rope_scaling(),
                                         trained_scaling.rope_scaling_factor());
        }
        PerplexityOptions options = perplexity_options(config);
        options.context_length = length;
        options.stride = length;  // non-overlapping windows, as in the ALiBi paper's Figure 1
        NllSum sum = score_tokens(loaded.model, tokens, options, device);
        result.score = StudyScore{sum.nll, sum.tokens};
        cache.add(key, *result.score);
      }
      spdlog::info("study: {} at {} tokens: perplexity {:.3f}", variant.name, length,
                   result.score->perplexity());
      results.push_back(result);
    }
  }
  return true;
}

void write_results(const std::vector<StudyResult>& results, const StudyPlan& plan, const fs::path& out) {
  write_file_atomic(out / "results.csv", results_csv(results));
  std::string table = results_markdown(results, plan);
  write_file_atomic(out / "results.md", table);
  try {
    draw_length_plot(results_plot(results, plan), out / "results.png");
  } catch (const UserError& error) {  // no gnuplot: the numbers stand without the picture
    spdlog::warn("no results.png: {}", error.what());
  }
  std::cout << table;
  spdlog::info("study: wrote {}, results.md, results.png", (out / "results.csv").string());
}

}  // namespace

void run_study(const Config& config, const StudyOptions& options) {
  StudyPlan plan = plan_study(config, options.out_dir);
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) {
    throw UserError("cannot create the study's directory " + options.out_dir.string() + ": " +
                    error.message() + " (choose another with --out)");
  }
  FileLock lock =
      FileLock::acquire_or_fail(options.out_dir / ".lock", "study " + options.out_dir.string(),
                                "another study is running there; wait for it, or choose another --out");
  install_stop_handlers();
  set_cpu_threads(config.train.threads);
  for (const auto& model : plan.models) {
    if (stop_requested()) return announce_stop(options);
    train_model(model, options);
  }
  std::vector<StudyResult> results;
  for (const auto& model : plan.models) {
    if (stop_requested() || !score_model(model, plan, config, results)) return announce_stop(options);
  }
  write_results(results, plan, options.out_dir);
}

}  // namespace ropelm
