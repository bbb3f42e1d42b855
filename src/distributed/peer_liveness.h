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

}  // namespace ropelm
