// The trainer: set-up, resume, then a flat loop of step → log → validate → checkpoint.
#include "train/trainer.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "checkpoint/checkpoint_retention.h"
#include "config/load.h"
#include "data/corpus.h"
#include "data/data_options.h"
#include "distributed/distributed_env.h"
#include "distributed/gradient_bucketer.h"
#include "distributed/process_group.h"
#include "eval/eval_options.h"
#include "eval/perplexity.h"
#include "model/autocast_guard.h"
#include "model/model_stats.h"
#include "plot/plot.h"
#include "run/busy_cpu.h"
#include "run/device.h"
#include "run/precision.h"
#include "run/rank_setup.h"
#include "run/run_checkpoint.h"
#include "run/run_dir.h"
#include "train/lr_schedule.h"
#include "train/memory_check.h"
#include "train/prefetcher.h"
#include "train/resume_policy.h"
#include "train/step_logger.h"
#include "train/step_profiler.h"
#include "train/stop_signal.h"
#include "train/train_step.h"
#include "train/training_samples.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;

namespace {

// What MfuMeter needs to know of the device: the GPU's name ("" on the CPU).
std::string gpu_name(torch::Device device) {
  if (!device.is_cuda()) return "";
  std::string name = cuda_device_name(device.has_index() ? device.index() : 0);
  return name.empty() ? "unnamed CUDA device" : name;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seeds LibTorch's default generator from train.seed: the model's initial weights, then dropout.
void seed_everything(int64_t seed) {
  torch::manual_seed(static_cast<uint64_t>(seed));
}

class Trainer {
 public:
  Trainer(const Config& config, const TrainOptions& options);
  void run();

 private:
  void resume_if_asked();
  void evaluate(StepLogger& logger);
  void save();
  void report_results() const;
  bool is_rank0() const { return group_->rank() == 0; }
  bool bf16() const { return precision_.precision == Precision::kBf16; }

  Config config_;
  TrainOptions options_;
  DistributedEnv env_;
  torch::Device device_;
  ResolvedPrecision precision_;  // train.precision for this device, resolved before the run dir is touched
  std::unique_ptr<Distributed> group_;
  std::unique_ptr<GradientBucketer> bucketer_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::optional<Corpus> corpus_;
  Transformer model_{nullptr};
  std::unique_ptr<AdamW> optimizer_;
  std::optional<WindowRows> train_rows_;
  std::optional<StepSampler> sampler_;  // where the training data stands; the Prefetcher takes it over
  TrainingState state_;
  bool best_due_ = false;                  // this step's validation improved on the best: save (and mark) it
  std::optional<TrainingRunDir> run_dir_;  // rank 0 (only rank 0 writes): locked for the whole run
  std::optional<MfuMeter> mfu_;
  std::optional<TrainingSampler> text_sampler_;  // rank 0, train.sample_interval > 0
};

Trainer::Trainer(const Config& config, const TrainOptions& options)
    : config_(config),
      options_(options),
      env_(distributed_env_from_environment()),
      device_(rank_device(config.train.device, env_)),
      precision_(resolve_precision(config.train.precision, device_bf16_facts(device_), "train.precision")),
      group_(std::make_unique<Distributed>(env_, config.distributed, device_)) {
  set_cpu_threads(config_.train.threads);
  if (is_rank0()) run_dir_.emplace(options_.run_dir, config_, !options_.resume.empty(), options_.overwrite);
  tokenizer_ = make_tokenizer(config_.tokenizer);
  corpus_ = load_corpus_rank0_first(corpus_options(config_), *tokenizer_, *group_);
  LoaderOptions loader = train_loader_options(config_, env_.rank, env_.world_size);
  train_rows_.emplace(corpus_->train(), loader.windows, "train");
  sampler_.emplace(train_rows_->num_windows(), loader.sampling);
  state_.train_tokens = corpus_->train().size();
  state_.corpus_checksum = corpus_checksum(*corpus_);
  state_.world_size = env_.world_size;
  state_.precision = std::string(choice_name(precision_.precision));
  check_training_memory(config_, tokenizer_->vocab_size(), device_.is_cuda());
  seed_everything(config_.train.seed);
  model_ = build_model(config_, tokenizer_->vocab_size());
  model_->to(device_);
  optimizer_ =
      std::make_unique<AdamW>(group_parameters(model_->named_parameters(), config_.optim), config_.optim);
  resume_if_asked();
  if (group_->distributed()) {
    group_->broadcast_from_rank0(model_->parameters());
    bucketer_ = std::make_unique<GradientBucketer>(model_->parameters(), *group_,
                                                   BucketerOptions{config_.distributed.bucket_mb << 20});
    spdlog::info("data parallel: {} ranks ({} via {}), global batch {} windows", env_.world_size,
                 group_->backend_name(), env_.launcher,
                 config_.data.batch_size * env_.world_size * config_.train.grad_accum);
  }
  ParameterCounts counts = count_parameters(*model_);
  const double flops_per_token = training_flops_per_token(*model_, config_.data.context_length);
  spdlog::info("model: {} parameters ({} non-embedding), {:.3g} training FLOPs/token; device {}, {} threads",
               counts.total, counts.non_embedding, flops_per_token, device_.str(), torch::get_num_threads());
  spdlog::info("precision {} ({})", choice_name(precision_.precision), precision_.reason);
  if (auto busy = device_.is_cpu() ? busy_cpu_warning() : std::nullopt) spdlog::warn(*busy);
  mfu_.emplace(gpu_name(device_), flops_per_token, env_.world_size);
  if (mfu_->reported()) spdlog::info(mfu_->describe());
}

void Trainer::resume_if_asked() {
  if (options_.resume.empty()) return;
  std::optional<fs::path> dir;
  if (options_.resume == "auto") {
    dir = newest_valid_checkpoint(options_.run_dir);
    if (!dir)
      spdlog::info("--resume auto: no checkpoint in {}, starting from scratch", options_.run_dir.string());
  } else {
    dir = fs::path(options_.resume);
    if (!fs::is_directory(*dir))
      throw UserError("--resume " + dir->string() + ": no such checkpoint directory");
  }
  if (!dir) return;
  VerifiedCheckpoint checkpoint = load_checkpoint(*dir);
  Config saved = parse_config_text(checkpoint.contents.config_toml, (*dir / "config.toml").string());
  ConfigDiff diff = diff_for_resume(saved, config_);
  for (const auto& change : diff.allowed) spdlog::info("resume: config change {}", change);
  TrainingState saved_state = training_state_from_json(checkpoint.contents.trainer_state);
  // A different world size resumes exactly when the global batch (windows per optimizer step) is unchanged.
  int64_t saved_batch = saved.data.batch_size * saved_state.world_size * saved.train.grad_accum;
  int64_t batch = config_.data.batch_size * env_.world_size * config_.train.grad_accum;
  if (saved_batch != batch) {
    diff.breaking.push_back("global batch (data.batch_size × ranks × train.grad_accum): " +
                            std::to_string(saved_batch) + " -> " + std::to_string(batch));
  }
  if (saved_state.train_tokens != state_.train_tokens) {
    diff.breaking.push_back("train tokens: " + std::to_string(saved_state.train_tokens) + " -> " +
                            std::to_string(state_.train_tokens));
  } else if (!saved_state.corpus_checksum.empty() && saved_state.corpus_checksum != state_.corpus_checksum) {
    diff.breaking.push_back("corpus tokens (a text edited in place?): " + saved_state.corpus_checksum +
                            " -> " + state_.corpus_checksum);
  }
  for (auto& change : tokenizer_file_changes(*dir, config_.tokenizer)) diff.breaking.push_back(change);
  if (!saved_state.precision.empty() && saved_state.precision != state_.precision) {
    diff.breaking.push_back("precision (train.precision as resolved on this device): " +
                            saved_state.precision + " -> " + state_.precision);
  }
  std::optional<std::string> mismatch = weight_mismatch(model_, checkpoint.contents);
  if (!diff.breaking.empty()) {
    std::string changes;
    for (const auto& change : diff.breaking) changes += (changes.empty() ? "" : "; ") + change;
    if (!options_.force) {
      throw UserError("cannot resume " + dir->string() + " exactly: " + changes +
                      (mismatch ? " (and the weights' shapes differ, which --force cannot carry over)"
                                : " (pass --force to resume anyway)"));
    }
    spdlog::warn("resuming despite changes that break exactness (--force): {}", changes);
  }
  if (mismatch) {
    throw UserError("cannot resume " + dir->string() + ": " + *mismatch +
                    "; weights of another shape cannot be carried over, even with --force: start a new run "
                    "(--overwrite, or another --run-dir)");
  }
  load_model_weights(model_, checkpoint.contents, *dir);
  state_ = saved_state;
  state_.train_tokens = corpus_->train().size();
  state_.corpus_checksum = corpus_checksum(*corpus_);
  state_.world_size = env_.world_size;
  state_.precision = std::string(choice_name(precision_.precision));
  if (is_rank0()) set_aside_later_checkpoints(options_.run_dir, state_.step);
  optimizer_->load_state(checkpoint.contents.optimizer, state_.updates);
  restore_rng(state_, device_);
  sampler_->restore(state_.cursor);
  spdlog::info("resumed from {} at step {} ({} tokens seen)", dir->string(), state_.step, state_.tokens_seen);
}

void Trainer::evaluate(StepLogger& logger) {
  if (corpus_->val().empty()) return;
  PerplexityOptions options = perplexity_options(config_);
  options.max_windows = config_.train.eval_batches * options.batch_size;
  options.rank = env_.rank;
  options.world_size = env_.world_size;
  options.bf16 = bf16();
  NllSum sum = score_tokens(model_, corpus_->val(), options, device_);
  sum.nll = group_->all_reduce_sum(sum.nll);
  sum.tokens = group_->all_reduce_sum(sum.tokens);
  double val_loss = sum.nll / static_cast<double>(sum.tokens);
  state_.val_loss = val_loss;
  if (!state_.best_val_loss || val_loss < *state_.best_val_loss) {
    state_.best_val_loss = val_loss;
    state_.best_step = state_.step;
    best_due_ = config_.checkpoint.keep_best;
  }
  logger.log_validation(state_, val_loss, sum.tokens);
}

void Trainer::save() {
  capture_rng(state_, device_);
  if (!is_rank0()) return;
  fs::path dir = save_run_checkpoint(options_.run_dir, config_, model_, optimizer_->state(), state_);
  spdlog::info("checkpoint {}", dir.string());
  if (best_due_) mark_best_checkpoint(options_.run_dir, state_.step, *state_.best_val_loss);
}

// The end of a finished run: the final and the best validation, and what to try next, spelled with the
// program as the user ran it.
void Trainer::report_results() const {
  if (state_.val_loss) {
    spdlog::info("final validation: loss {:.4f}, perplexity {:.2f}", *state_.val_loss,
                 std::exp(*state_.val_loss));
  }
  std::optional<fs::path> best = best_checkpoint(options_.run_dir);
  if (state_.best_val_loss) {
    spdlog::info("best validation: loss {:.4f}, perplexity {:.2f} at step {}{}", *state_.best_val_loss,
                 std::exp(*state_.best_val_loss), *state_.best_step,
                 best ? ", checkpoint " + best->string() : std::string(" (no checkpoint kept)"));
  }
  std::optional<fs::path> chosen = best ? best : newest_valid_checkpoint(options_.run_dir);
  if (!chosen) return;
  spdlog::info("next: {} eval --checkpoint {}", options_.program, chosen->string());
  spdlog::info("      {} generate --checkpoint {} --prompt \"...\"", options_.program, chosen->string());
}

void Trainer::run() {
  StepLogger logger({is_rank0() ? std::optional(options_.run_dir / "metrics.jsonl") : std::nullopt,
                     state_.step, config_.train.steps, config_.train.log_interval},
                    *mfu_);
  if (is_rank0() && config_.train.sample_interval > 0)
    text_sampler_.emplace(config_, *tokenizer_, options_.run_dir / "samples.jsonl", state_.step);
  Prefetcher prefetcher(std::move(*sampler_), *train_rows_, config_.train.grad_accum, device_);
  sampler_.reset();
  install_stop_handlers();
  int64_t bad_in_a_row = 0;
  bool stopping = false;              // agreed by every rank's vote, never read from the local flag
  StepProfiler profiler(is_rank0());  // ROPELM_PROFILE: a Chrome trace of a few steps
  while (state_.step < config_.train.steps && !stopping) {
    auto step_start = std::chrono::steady_clock::now();
    StepBatches batches = prefetcher.next();
    StepSettings settings{lr_at(state_.step + 1, config_.train.steps, config_.optim), config_.optim.grad_clip,
                          batches.global_windows * config_.data.context_length, bf16()};
    StepComms comms;
    if (group_->distributed()) comms = {group_.get(), bucketer_.get()};
    profiler.before_step(state_.step + 1);
    StepResult result = train_step(model_, *optimizer_, batches, device_, settings, comms);
    profiler.after_step(state_.step + 1);
    state_.step += 1;
    state_.val_loss.reset();
    state_.updates += result.applied;
    state_.tokens_seen += settings.global_tokens;
    state_.cursor = batches.next;
    state_.elapsed_s += seconds_since(step_start);
    logger.log_step(state_, result, settings.lr, settings.global_tokens);
    bad_in_a_row = result.applied ? 0 : bad_in_a_row + 1;
    if (!result.applied) {
      logger.message(fmt::format("step {}: non-finite loss or gradient, update skipped ({} in a row)",
                                 state_.step, bad_in_a_row));
    }
    if (bad_in_a_row >= config_.train.max_bad_steps) {
      save();
      spdlog::error(
          "{} non-finite steps in a row: stopping (lower optim.lr, or optim.grad_clip to clip harder)",
          bad_in_a_row);
      throw ExitRequest{kExitTooManyBadSteps};
    }
    const bool last = state_.step == config_.train.steps;
    const int64_t eval_every = config_.train.eval_interval;
    if ((eval_every > 0 && state_.step % eval_every == 0) || last) {
      logger.pause();
      evaluate(logger);
      if (is_rank0()) plot_training_curves(options_.run_dir);
    }
    if (text_sampler_ && text_sampler_->due(state_.step)) {
      logger.pause();
      AutocastGuard autocast(device_, bf16());
      text_sampler_->write_sample(model_, state_.step, device_);
    }
    // A SIGTERM to any rank stops every rank at this same step boundary, with one checkpoint: every rank
    // decides from the all-reduced vote alone; a signal that lands after it is seen at the next step's vote.
    stopping = group_->any_rank_stopping(stop_requested());
    signal_after_vote_for_tests(env_.rank, state_.step);
    if (state_.step % config_.checkpoint.interval == 0 || last || stopping || best_due_) {
      logger.pause();
      save();
      best_due_ = false;
    }
  }
  logger.pause();
  if (stopping && is_rank0()) plot_training_curves(options_.run_dir);  // the last step validates and plots
  if (stopping) {
    spdlog::info("stopped at step {} with a checkpoint; resume with: {}", state_.step, options_.resume_hint);
  } else {
    spdlog::info("done: {} steps, {} tokens, {:.1f} s", state_.step, state_.tokens_seen, state_.elapsed_s);
    if (is_rank0()) report_results();
  }
}

}  // namespace

void train(const Config& config, const TrainOptions& options) {
  Trainer(config, options).run();
}

}  // namespace ropelm
