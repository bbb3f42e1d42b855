// What every rank of a data-parallel command (train, eval) sets up the same way: its device and its corpus.
#pragma once

#include <torch/torch.h>

#include <string>

#include "data/corpus.h"
#include "distributed/distributed_env.h"
#include "distributed/process_group.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

// The device named by `spec` (auto | cpu | cuda | cuda:N); in a distributed CUDA run, cuda:LOCAL_RANK, so
// that each rank drives its own GPU.
torch::Device rank_device(const std::string& spec, const DistributedEnv& env);

// Rank 0 opens or builds the token cache while the others wait at a barrier, then they open the finished
// file: one process tokenises, and no rank reads a half-written cache.
Corpus load_corpus_rank0_first(const CorpusOptions& options, const Tokenizer& tokenizer, Distributed& group);

}  // namespace ropelm
