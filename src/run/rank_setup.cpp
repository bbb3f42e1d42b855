// Device and corpus set-up shared by the ranks of train and eval.
#include "run/rank_setup.h"

#include "run/device.h"

namespace ropelm {

torch::Device rank_device(const std::string& spec, const DistributedEnv& env) {
  torch::Device device = select_device(spec);
  if (device.is_cuda() && env.distributed())
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank)};
  return device;
}

Corpus load_corpus_rank0_first(const CorpusOptions& options, const Tokenizer& tokenizer, Distributed& group) {
  if (group.rank() == 0) {
    Corpus corpus = Corpus::load(options, tokenizer, CacheAccess::kOpenOrBuild);
    group.barrier();
    return corpus;
  }
  group.barrier();
  return Corpus::load(options, tokenizer, CacheAccess::kOpenExisting);
}

}  // namespace ropelm
