// The key table: one row per config key. Defaults are the initialisers in config.h, never repeated here.
#include "config/keys.h"

#include <algorithm>
#include <limits>

#include "util/edit_distance.h"

namespace ropelm {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const Range kPositive{0, kInf, true};
const Range kNonNegative{0, kInf};
const Range kProbability{0, 1, false, true};  // [0, 1)

#define FIELD(path) [](Config& c) -> FieldRef { return &c.path; }
#define CHOICE(path) [](Config& c) -> FieldRef { return choice_ref(&c.path); }
#define CHOICES(path) [](Config& c) -> FieldRef { return choice_list_ref(&c.path); }

std::vector<KeySpec> make_keys() {
  return {
      {"model", "d_model", FIELD(model.d_model), "width of the residual stream", kPositive},
      {"model", "n_layers", FIELD(model.n_layers), "number of transformer blocks", kPositive},
      {"model", "n_heads", FIELD(model.n_heads), "attention heads (must divide d_model)", kPositive},
      {"model", "n_kv_heads", FIELD(model.n_kv_heads),
       "key/value heads for grouped-query attention; 0 = n_heads", kNonNegative},
      {"model", "mlp", CHOICE(model.mlp), "feed-forward type", {}},
      {"model", "mlp_hidden", FIELD(model.mlp_hidden),
       "MLP hidden size; 0 = 8/3·d_model rounded up to 64 (swiglu) or 4·d_model (gelu)", kNonNegative},
      {"model", "norm", CHOICE(model.norm), "normalisation layer", {}},
      {"model", "norm_eps", FIELD(model.norm_eps), "epsilon of the norm layers", kPositive},
      {"model", "dropout", FIELD(model.dropout), "dropout probability (training only)", kProbability},
      {"model", "bias", FIELD(model.bias), "biases in linear layers", {}},
      {"model", "tie_embeddings", FIELD(model.tie_embeddings), "LM head shares the token embedding", {}},
      {"model", "init_std", FIELD(model.init_std),
       "init std of weights; residual projections get init_std/sqrt(2·n_layers)", kPositive},
      {"model", "pad_vocab_multiple", FIELD(model.pad_vocab_multiple),
       "pad the vocabulary up to a multiple of this (1 = no padding); padded ids are never predicted",
       kPositive},
      {"model",
       "position",
       CHOICE(model.position),
       "position encoding; alibi = linear attention biases, no embedding (Press et al. 2022)",
       {}},
      {"model", "max_seq_len", FIELD(model.max_seq_len),
       "longest input for learned positions; 0 = data.context_length", kNonNegative},
      {"model", "rope_theta", FIELD(model.rope_theta), "RoPE base", kPositive},
      {"model",
       "rope_style",
       CHOICE(model.rope_style),
       "half = rotate-half (Llama/HF), interleaved = adjacent pairs (RoFormer/Meta)",
       {}},
      {"model",
       "rope_scaling",
       CHOICE(model.rope_scaling),
       "RoPE context extension: linear position interpolation, NTK-aware base change, or YaRN (Peng et al. "
       "2023: frequencies interpolated by parts, attention temperature 0.1·ln(factor)+1)",
       {}},
      {"model", "rope_scaling_factor", FIELD(model.rope_scaling_factor), "factor of rope_scaling",
       Range{1, kInf}},
      {"model", "yarn_alpha", FIELD(model.yarn_alpha),
       "yarn: RoPE dimensions turning fewer than this many times over data.context_length are interpolated",
       kPositive},
      {"model", "yarn_beta", FIELD(model.yarn_beta),
       "yarn: RoPE dimensions turning more than this many times are kept; between alpha and beta a linear "
       "ramp",
       kPositive},
      {"model",
       "attention",
       CHOICE(model.attention),
       "attention kernel: sdpa (LibTorch ≥ 2.0), explicit masked softmax, or auto",
       {}},

      {"tokenizer",
       "type",
       CHOICE(tokenizer.type),
       "tokenizer kind; bytes = the UTF-8 bytes as ids 0-255 and end-of-text 256, no vocabulary file",
       {}},
      {"tokenizer",
       "vocab",
       FIELD(tokenizer.vocab),
       "vocab.txt (wordpiece), .model (sentencepiece) or encoder.json (gpt2); unused by bytes",
       {}},
      {"tokenizer", "merges", FIELD(tokenizer.merges), "gpt2 only: vocab.bpe (merges.txt)", {}},
      {"tokenizer", "lowercase", FIELD(tokenizer.lowercase), "wordpiece: lowercase and strip accents", {}},
      {"tokenizer",
       "split_special_tokens",
       FIELD(tokenizer.split_special_tokens),
       "treat literal special-token text ([SEP], <|endoftext|>) as plain text",
       {}},

      {"data", "train", FIELD(data.train), "training text: files, directories or globs (.txt, .jsonl)", {}},
      {"data",
       "val",
       FIELD(data.val),
       "validation text; empty = the last val_fraction of the train tokens",
       {}},
      {"data", "val_fraction", FIELD(data.val_fraction), "share of the token stream held out for validation",
       kProbability},
      {"data", "context_length", FIELD(data.context_length), "tokens per training window", kPositive},
      {"data", "stride", FIELD(data.stride), "tokens between window starts; unset = context_length",
       kPositive},
      {"data", "batch_size", FIELD(data.batch_size), "windows per micro-batch (per rank)", kPositive},
      {"data",
       "shuffle",
       FIELD(data.shuffle),
       "shuffle windows every epoch (a pure function of seed, epoch)",
       {}},
      {"data", "drop_last", FIELD(data.drop_last), "drop the last incomplete batch of an epoch", {}},
      {"data", "paragraphs", FIELD(data.paragraphs), "also split documents at blank lines", {}},
      {"data", "cache_dir", FIELD(data.cache_dir), "where token caches are kept", {}},

      {"optim", "lr", FIELD(optim.lr), "peak learning rate", kPositive},
      {"optim", "min_lr", FIELD(optim.min_lr), "learning rate at the end of the decay", kNonNegative},
      {"optim", "warmup_steps", FIELD(optim.warmup_steps), "linear warmup steps", kNonNegative},
      {"optim", "schedule", CHOICE(optim.schedule), "decay after warmup", {}},
      {"optim", "wsd_decay_fraction", FIELD(optim.wsd_decay_fraction), "wsd: share of steps spent decaying",
       Range{0, 1, true, false}},
      {"optim", "weight_decay", FIELD(optim.weight_decay), "AdamW decoupled weight decay; 0 = Adam",
       kNonNegative},
      {"optim",
       "decay_embeddings",
       FIELD(optim.decay_embeddings),
       "apply weight decay to embeddings too",
       {}},
      {"optim", "beta1", FIELD(optim.beta1), "Adam beta1", kProbability},
      {"optim", "beta2", FIELD(optim.beta2), "Adam beta2", kProbability},
      {"optim", "eps", FIELD(optim.eps), "Adam epsilon", kPositive},
      {"optim", "grad_clip", FIELD(optim.grad_clip), "global gradient-norm clip; 0 = off", kNonNegative},

      {"train", "steps", FIELD(train.steps), "total optimizer steps of the run", kPositive},
      {"train", "log_interval", FIELD(train.log_interval), "steps between log lines and metrics rows",
       kPositive},
      {"train", "eval_interval", FIELD(train.eval_interval), "steps between validations; 0 = only at the end",
       kNonNegative},
      {"train", "eval_batches", FIELD(train.eval_batches), "validation batches; 0 = the whole split",
       kNonNegative},
      {"train", "seed", FIELD(train.seed), "seed of init, data order and dropout", kNonNegative},
      {"train", "grad_accum", FIELD(train.grad_accum), "micro-batches per optimizer step", kPositive},
      {"train",
       "precision",
       CHOICE(train.precision),
       "bf16 = mixed precision (bf16 matrix products, fp32 weights and optimizer); auto = bf16 on CUDA of "
       "compute capability >= 8.0 or a CPU with AMX-BF16 / AVX512-BF16, else fp32",
       {}},
      {"train", "max_bad_steps", FIELD(train.max_bad_steps),
       "non-finite steps in a row before stopping (exit 3)", kPositive},
      {"train", "device", FIELD(train.device), "auto | cpu | cuda | cuda:N", {}},
      {"train", "threads", FIELD(train.threads), "intra-op CPU threads; 0 = all cores", kNonNegative},
      {"train", "sample_interval", FIELD(train.sample_interval),
       "steps between text samples (logged and appended to samples.jsonl); 0 = off", kNonNegative},
      {"train", "sample_prompt", FIELD(train.sample_prompt), "text the samples continue", {}},
      {"train", "sample_tokens", FIELD(train.sample_tokens),
       "tokens generated per sample (seeded by train.seed)", kPositive},

      {"checkpoint", "interval", FIELD(checkpoint.interval), "steps between checkpoints (and one at the end)",
       kPositive},
      {"checkpoint", "keep_last", FIELD(checkpoint.keep_last), "checkpoints kept besides the best",
       kPositive},
      {"checkpoint",
       "keep_best",
       FIELD(checkpoint.keep_best),
       "save a checkpoint at each validation that improves on the best so far, and keep the best one "
       "(checkpoints/best.json names it)",
       {}},

      {"eval", "context_length", FIELD(eval.context_length), "eval window; 0 = data.context_length",
       kNonNegative},
      {"eval", "stride", FIELD(eval.stride), "eval stride; 0 = the eval context length", kNonNegative},
      {"eval", "batch_size", FIELD(eval.batch_size), "eval windows per batch; 0 = data.batch_size",
       kNonNegative},

      {"distributed", "backend", CHOICE(distributed.backend), "auto = nccl on CUDA, gloo on CPU", {}},
      {"distributed", "timeout_s", FIELD(distributed.timeout_s), "collective timeout before a rank gives up",
       kPositive},
      {"distributed", "bucket_mb", FIELD(distributed.bucket_mb), "gradient all-reduce bucket size",
       kPositive},

      {"study",
       "positions",
       CHOICES(study.positions),
       "`ropelm study`: the position encodings to train, one run dir each",
       {}},
      {"study",
       "rope_scalings",
       CHOICES(study.rope_scalings),
       "`ropelm study`: context extensions also applied to the rope model at evaluation, factor = length / "
       "data.context_length (extensions only: not none)",
       {}},
      {"study", "max_length_factor", FIELD(study.max_length_factor),
       "`ropelm study`: longest evaluation length as a multiple of data.context_length (lengths 1, 2, 4, … "
       "times it)",
       kPositive},
      {"study", "eval_tokens", FIELD(study.eval_tokens),
       "`ropelm study`: validation tokens scored at every length (the first ones); 0 = the whole split",
       kNonNegative},
  };
}

#undef FIELD
#undef CHOICE
#undef CHOICES

}  // namespace

const std::vector<KeySpec>& config_keys() {
  static const std::vector<KeySpec> keys = make_keys();
  return keys;
}

const KeySpec* find_key(const std::string& full_name) {
  for (const auto& key : config_keys()) {
    if (key.full_name() == full_name) return &key;
  }
  return nullptr;
}

std::vector<std::string> config_sections() {
  std::vector<std::string> sections;
  for (const auto& key : config_keys()) {
    if (sections.empty() || sections.back() != key.section) sections.push_back(key.section);
  }
  return sections;
}

std::string closest_key(const std::string& unknown) {
  std::string best;
  size_t best_distance = std::max<size_t>(3, unknown.size() / 3) + 1;
  for (const auto& key : config_keys()) {
    std::string name = key.full_name();
    size_t distance = edit_distance(unknown, name);
    // A right key name in the wrong section ("train.lr") is close too.
    if (unknown.substr(unknown.find('.') + 1) == key.name) distance = std::min<size_t>(distance, 2);
    if (distance < best_distance) {
      best_distance = distance;
      best = name;
    }
  }
  return best;
}

std::string type_name(const FieldRef& field) {
  struct Visitor {
    std::string operator()(int64_t*) const { return "integer"; }
    std::string operator()(double*) const { return "float"; }
    std::string operator()(bool*) const { return "boolean"; }
    std::string operator()(std::string*) const { return "string"; }
    std::string operator()(std::vector<std::string>*) const { return "list of strings"; }
    std::string operator()(const ChoiceRef&) const { return "string"; }
    std::string operator()(const ChoiceListRef&) const { return "list of strings"; }
  };
  return std::visit(Visitor{}, field);
}

}  // namespace ropelm
