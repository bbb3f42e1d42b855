// --nproc: the option, and the local launch of the ranks.
#include "cli/nproc.h"

#include <chrono>

#include "distributed/distributed_env.h"
#include "distributed/local_launcher.h"
#include "util/error.h"

namespace ropelm::cli {

void add_nproc_option(CLI::App& command, int& nproc) {
  command.add_option("--nproc", nproc, "start N local ranks (data parallel over c10d, as torchrun does)")
      ->check(CLI::PositiveNumber);
}

void launch_ranks_if_asked(int nproc, const GlobalOptions& global, int64_t timeout_s) {
  if (nproc > 1 && !distributed_env_from_environment().distributed())
    throw ExitRequest{launch_local_ranks(nproc, global.argv, std::chrono::seconds(timeout_s))};
}

}  // namespace ropelm::cli
