// `ropelm train --nproc N`: a one-node torchrun. Spawns N copies of this executable with torchrun's
// environment, so a child runs exactly the code path of a torchrun launch.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ropelm {

// Picks a free loopback port, spawns nproc children running /proc/self/exe with `argv` minus `--nproc N`
// (or `--nproc=N`; argv[0] is kept as the children's argv[0]) and with RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR=127.0.0.1 and MASTER_PORT set, then waits for them. SIGINT/SIGTERM to the launcher are
// forwarded to every child once each (the children run in their own process group, so a terminal's Ctrl-C
// reaches them only through the launcher; they also get SIGKILL if the launcher dies). When a child fails,
// the others get `grace` (distributed.timeout_s: time to notice the failure in a collective and exit with
// their own message) and are then killed.
// Returns the first non-zero exit code (128 + signal for a child killed by a signal), else 0.
int launch_local_ranks(int nproc, const std::vector<std::string>& argv, std::chrono::seconds grace);

// A loopback port that was free a moment ago: binding port 0 lets the kernel pick one, and rank 0's TCPStore
// binds it a moment later (torchrun's approach, with the same small race).
int free_loopback_port();

// argv without `--nproc N` / `--nproc=N`.
std::vector<std::string> without_nproc(const std::vector<std::string>& argv);

}  // namespace ropelm
