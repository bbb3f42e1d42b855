// --nproc N of the data-parallel commands (train, eval): a one-node torchrun.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>

#include "cli/command.h"

namespace ropelm::cli {

void add_nproc_option(CLI::App& command, int& nproc);

// When nproc > 1 and this process is not already a rank, starts nproc ranks of this command line and throws
// ExitRequest with their exit code; otherwise returns and this process runs as it is.
void launch_ranks_if_asked(int nproc, const GlobalOptions& global, int64_t timeout_s);

}  // namespace ropelm::cli
