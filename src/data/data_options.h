// Converts the run config into the data components' own option structs (components never see Config).
#pragma once

#include "config/config.h"
#include "data/corpus.h"
#include "data/sliding_windows.h"
#include "data/step_sampler.h"

namespace ropelm {

// How a split is cut into windows (WindowRows) and drawn from (StepSampler).
struct LoaderOptions {
  WindowShape windows;
  SamplerOptions sampling;
};

// Tokenisation uses train.threads cores (0: all).
CorpusOptions corpus_options(const Config& config);
// The training loader of one rank: data.* windows and batching, shuffled by train.seed.
LoaderOptions train_loader_options(const Config& config, int64_t rank = 0, int64_t world_size = 1);
// The validation loader: same windows and batch size, in order, keeping the last partial batch.
LoaderOptions val_loader_options(const Config& config);

}  // namespace ropelm
