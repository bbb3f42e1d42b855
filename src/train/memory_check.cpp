// Closed-form memory estimate of a training run against /proc/meminfo.
#include "train/memory_check.h"

#include <spdlog/fmt/fmt.h>

#include <fstream>
#include <sstream>

#include "util/error.h"

namespace ropelm {

double estimated_parameters(const TransformerOptions& o) {
  const double d = static_cast<double>(o.d_model()), layers = static_cast<double>(o.n_layers());
  const double vocab = static_cast<double>(o.padded_vocab_size());
  const double kv_width = static_cast<double>(o.kv_heads()) * static_cast<double>(o.head_dim());
  const double hidden = static_cast<double>(o.mlp_hidden_size());
  const double mlp = (o.mlp() == MlpKind::kSwiGLU ? 3 : 2) * d * hidden;
  const double block = d * (d + 2 * kv_width) + d * d + mlp + 2 * d;
  double total = vocab * d + layers * block + d;
  if (o.position() == PositionKind::kLearned) total += static_cast<double>(o.max_seq_len()) * d;
  if (!o.tie_embeddings()) total += vocab * d;
  return total;
}

double estimated_training_bytes(const TransformerOptions& o, int64_t batch_size, int64_t context_length) {
  const double tokens = static_cast<double>(batch_size) * static_cast<double>(context_length);
  const double per_token_per_block =
      16.0 * static_cast<double>(o.d_model()) + 3.0 * static_cast<double>(o.mlp_hidden_size()) +
      2.0 * static_cast<double>(o.n_heads()) * static_cast<double>(context_length);
  const double activations = tokens * (static_cast<double>(o.n_layers()) * per_token_per_block +
                                       3.0 * static_cast<double>(o.vocab_size()));
  return 4.0 * (4.0 * estimated_parameters(o) + activations);
}

std::optional<double> available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string name;
    double kib = 0;
    if (fields >> name >> kib && name == "MemAvailable:") return kib * 1024;
  }
  return std::nullopt;
}

void check_training_memory(const Config& config, int64_t vocab_size, bool on_cuda) {
  std::optional<double> available = available_memory_bytes();
  if (!available) return;
  const TransformerOptions options = from_config(config.model, vocab_size, config.data.context_length);
  const double parameters = estimated_parameters(options);
  const double needed =
      on_cuda ? 4.0 * parameters
              : estimated_training_bytes(options, config.data.batch_size, config.data.context_length);
  if (needed <= *available) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  throw UserError(fmt::format(
      "this run needs about {:.3g} GiB ({:.3g} parameters{}) but {:.3g} GiB of memory is available: "
      "model.d_model = {}, model.n_layers = {}, model.mlp_hidden = {} (hidden {}), data.batch_size = {}, "
      "data.context_length = {}, vocab {}; make them smaller",
      needed / kGiB, parameters,
      on_cuda ? ", weights on the host" : ", with gradients, AdamW moments and activations",
      *available / kGiB, config.model.d_model, config.model.n_layers, config.model.mlp_hidden,
      options.mlp_hidden_size(), config.data.batch_size, config.data.context_length, vocab_size));
}

}  // namespace ropelm
