// The resolved run configuration: one struct per TOML section, defaults in one place (the initialisers
// below). Loading, --set overrides and validation live in config/load.h; the key table (types, ranges, docs)
// in keys.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/choices.h"

namespace ropelm {

struct ModelConfig {
  int64_t d_model = 256;
  int64_t n_layers = 4;
  int64_t n_heads = 4;
  int64_t n_kv_heads = 0;  // 0: same as n_heads (plain multi-head attention)
  MlpKind mlp = MlpKind::kSwiGLU;
  int64_t mlp_hidden = 0;  // 0: 8/3·d_model rounded up to 64 (swiglu), 4·d_model (gelu)
  NormKind norm = NormKind::kRMSNorm;
  double norm_eps = 1e-5;
  double dropout = 0.0;
  bool bias = false;
  bool tie_embeddings = true;
  double init_std = 0.02;
  int64_t pad_vocab_multiple = 64;  // 1: no padding
  PositionKind position = PositionKind::kRope;
  int64_t max_seq_len = 0;  // learned/sinusoidal table length; 0: data.context_length
  double rope_theta = 10000.0;
  RopeStyle rope_style = RopeStyle::kHalf;
  RopeScaling rope_scaling = RopeScaling::kNone;
  double rope_scaling_factor = 1.0;
  double yarn_alpha = 1.0;  // YaRN ramp: interpolate dimensions turning < alpha times over the context
  double yarn_beta = 32.0;  // ... keep those turning > beta times
  AttentionKind attention = AttentionKind::kAuto;
};

struct TokenizerConfig {
  TokenizerKind type = TokenizerKind::kWordPiece;
  std::string vocab = "data/bert-base-uncased-vocab.txt";  // vocab.txt, .model, or encoder.json (not bytes)
  std::string merges;                                      // gpt2 only: vocab.bpe / merges.txt
  bool lowercase = true;                                   // wordpiece only
  bool split_special_tokens = false;
};

struct DataConfig {
  std::vector<std::string> train = {"data/the-verdict.txt"};  // files, directories or globs (.txt, .jsonl)
  std::vector<std::string> val;  // empty: the last val_fraction of the train token stream
  double val_fraction = 0.1;
  int64_t context_length = 128;
  int64_t stride = 128;  // when not set: context_length
  int64_t batch_size = 16;
  bool shuffle = true;
  bool drop_last = true;
  bool paragraphs = false;  // also split documents at blank lines
  std::string cache_dir = "runs/cache";
};

struct OptimConfig {
  double lr = 1e-3;
  double min_lr = 1e-4;
  int64_t warmup_steps = 100;
  LrSchedule schedule = LrSchedule::kCosine;
  double wsd_decay_fraction = 0.2;  // wsd: share of the steps spent decaying
  double weight_decay = 0.1;        // 0: plain Adam
  bool decay_embeddings = false;
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double grad_clip = 1.0;  // 0: no clipping
};

struct TrainConfig {
  int64_t steps = 1000;
  int64_t log_interval = 10;
  int64_t eval_interval = 100;
  int64_t eval_batches = 0;  // 0: the whole validation split
  int64_t seed = 1337;
  int64_t grad_accum = 1;
  Precision precision = Precision::kFp32;  // fp32 | bf16 | auto (run/precision.h resolves auto per device)
  int64_t max_bad_steps = 5;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  int64_t threads = 0;          // intra-op threads; 0: all cores
  int64_t sample_interval = 0;  // steps between samples written to samples.jsonl; 0: off
  std::string sample_prompt = "\n";
  int64_t sample_tokens = 200;
};

struct CheckpointConfig {
  int64_t interval = 500;
  int64_t keep_last = 3;
  bool keep_best = true;  // save a checkpoint whenever validation improves, kept besides the last keep_last
};

struct EvalConfig {
  int64_t context_length = 0;  // 0: data.context_length
  int64_t stride = 0;          // 0: the eval context length
  int64_t batch_size = 0;      // 0: data.batch_size
};

struct DistributedConfig {
  BackendKind backend = BackendKind::kAuto;
  int64_t timeout_s = 300;
  int64_t bucket_mb = 25;
};

// `ropelm study`: the same model trained once per position encoding, then evaluated at growing lengths.
struct StudyConfig {
  std::vector<PositionKind> positions = {PositionKind::kRope, PositionKind::kAlibi, PositionKind::kSinusoidal,
                                         PositionKind::kLearned, PositionKind::kNone};
  // Context extensions also applied to the rope model at evaluation.
  std::vector<RopeScaling> rope_scalings = {RopeScaling::kLinear, RopeScaling::kYarn};
  int64_t max_length_factor = 16;  // evaluation lengths: context_length × 1, 2, 4, ... up to this
  int64_t eval_tokens = 0;         // validation tokens scored at every length; 0: the whole split
};

struct Config {
  ModelConfig model;
  TokenizerConfig tokenizer;
  DataConfig data;
  OptimConfig optim;
  TrainConfig train;
  CheckpointConfig checkpoint;
  EvalConfig eval;
  DistributedConfig distributed;
  StudyConfig study;
  std::string name = "default";  // the config file's stem: runs/<name> is the default run dir
};

}  // namespace ropelm
