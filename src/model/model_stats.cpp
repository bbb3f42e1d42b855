// Parameter counts read off the registered parameters, and the PaLM training-FLOPs estimate.
#include "model/model_stats.h"

#include <string>

namespace ropelm {

ParameterCounts count_parameters(const TransformerImpl& model) {
  ParameterCounts counts;
  for (const auto& item : model.named_parameters()) {
    const std::string& name = item.key();
    counts.total += item.value().numel();
    if (name.starts_with("tok_embeddings.") || name.starts_with("pos_embeddings.")) {
      counts.embedding += item.value().numel();
    }
  }
  counts.non_embedding = counts.total - counts.embedding;
  return counts;
}

int64_t matmul_parameters(const TransformerImpl& model) {
  // Inside the blocks, the 2-D parameters are exactly the Linear weights (norm weights and biases are 1-D).
  int64_t count = 0;
  for (const auto& item : model.named_parameters()) {
    if (item.key().starts_with("blocks.") && item.value().dim() == 2) count += item.value().numel();
  }
  return count + model.options().d_model() * model.options().vocab_size();
}

double training_flops_per_token(const TransformerImpl& model, int64_t T) {
  const auto& options = model.options();
  return 6.0 * static_cast<double>(matmul_parameters(model)) +
         12.0 * static_cast<double>(options.n_layers() * options.d_model() * T);
}

}  // namespace ropelm
