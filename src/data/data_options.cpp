// Config → CorpusOptions / LoaderOptions.
#include "data/data_options.h"

namespace ropelm {

CorpusOptions corpus_options(const Config& config) {
  const DataConfig& data = config.data;
  return {data.train,      data.val,       data.val_fraction,
          data.paragraphs, data.cache_dir, static_cast<int>(config.train.threads)};
}

LoaderOptions train_loader_options(const Config& config, int64_t rank, int64_t world_size) {
  const DataConfig& data = config.data;
  return {{data.context_length, data.stride},
          {data.batch_size, data.shuffle, data.drop_last, static_cast<uint64_t>(config.train.seed), rank,
           world_size}};
}

LoaderOptions val_loader_options(const Config& config) {
  const DataConfig& data = config.data;
  return {
      {data.context_length, data.stride},
      {data.batch_size, /*shuffle=*/false, /*drop_last=*/false, /*seed=*/0, /*rank=*/0, /*world_size=*/1}};
}

}  // namespace ropelm
