// ropelm-torch: every subcommand, with LibTorch. `ropelm` (front_main.cpp) hands it the command lines that
// need LibTorch; it can also be run directly (torchrun, the --nproc launcher).
#include "cli/command.h"
#include "distributed/distributed_env.h"
#include "run/cpu_block_cache.h"

int main(int argc, char** argv) {
  using namespace ropelm;
  install_cpu_block_cache();  // before any tensor exists, so every step reuses the pages of the last
  DistributedEnv env = distributed_env_from_environment();  // log lines carry the rank in a distributed run
  return cli::run_app(argc, argv, env.rank, env.world_size);
}
