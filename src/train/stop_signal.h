// SIGINT/SIGTERM handling: the first asks the trainer to stop at the next step boundary; a second SIGINT
// aborts.
#pragma once

namespace ropelm {

void install_stop_handlers();
bool stop_requested();
// For tests and for the distributed layer (a peer asked to stop).
void request_stop();

}  // namespace ropelm
