// Telling which peer process is gone: each rank publishes "host pid" at rendezvous; after a failed collective
// a survivor checks the peers that run on its own host.
#pragma once

#include <string>

namespace ropelm {

struct ProcessIdentity {
  std::string host;
  long pid = 0;

  std::string encode() const;                              // "host pid"
  static ProcessIdentity decode(const std::string& text);  // pid 0 when malformed
};

ProcessIdentity this_process();

// True when `process` runs on this host and has exited: no /proc entry, or a zombie not yet reaped by its
// launcher (kill(pid, 0) still succeeds on a zombie, so /proc/<pid>/stat's state is read instead). False when
// it is alive or runs on another host (unknowable from here).
bool process_gone(const ProcessIdentity& process);

// The state letter of /proc/<pid>/stat for a process on this host (R, S, D, T, t, Z, ...): 'X' when it has
// no entry, '?' when it runs on another host.
char process_state(const ProcessIdentity& process);

// True when `process` runs on this host and is stopped (SIGSTOP, SIGTSTP, a debugger): alive, but it answers
// nothing, not even the rendezvous store its threads serve.
bool process_stopped(const ProcessIdentity& process);

}  // namespace ropelm
