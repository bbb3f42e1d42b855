// SIGINT/SIGTERM handling: the first asks the trainer to stop at the next step boundary; a second SIGINT
// aborts.
#pragma once

#include <cstdint>

namespace ropelm {

void install_stop_handlers();
bool stop_requested();
// For tests and for the distributed layer (a peer asked to stop).
void request_stop();

// A test seam for the stop vote's race: with ROPELM_TEST_SIGNAL_AFTER_VOTE=RANK:STEP in the environment, rank
// RANK raises SIGTERM on itself right after its vote at step STEP (a signal that lands as late as it can).
void signal_after_vote_for_tests(int rank, int64_t step);

}  // namespace ropelm
