// Process identity and the same-host liveness check.
#include "distributed/peer_liveness.h"

#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>

namespace ropelm {

std::string ProcessIdentity::encode() const {
  return host + " " + std::to_string(pid);
}

ProcessIdentity ProcessIdentity::decode(const std::string& text) {
  ProcessIdentity identity;
  std::istringstream in(text);
  if (!(in >> identity.host >> identity.pid)) identity = ProcessIdentity{};
  return identity;
}

ProcessIdentity this_process() {
  char host[HOST_NAME_MAX + 1] = {};
  ::gethostname(host, sizeof host - 1);
  return ProcessIdentity{host, static_cast<long>(::getpid())};
}

char process_state(const ProcessIdentity& process) {
  if (process.pid <= 0 || process.host != this_process().host) return '?';
  std::ifstream stat("/proc/" + std::to_string(process.pid) + "/stat");
  if (!stat) return 'X';
  // Format: "pid (comm) state ...": comm may contain spaces and parentheses, so find the last ')'.
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return 'X';
  return line[close + 2];
}

bool process_gone(const ProcessIdentity& process) {
  char state = process_state(process);
  return state == 'Z' || state == 'X';
}

bool process_stopped(const ProcessIdentity& process) {
  char state = process_state(process);
  return state == 'T' || state == 't';
}

}  // namespace ropelm
