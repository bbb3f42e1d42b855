// The error for a data-parallel peer that died, hung or broke the connection: not the user's fault, so it is
// not a UserError; ropelm maps it to its own exit code.
#pragma once

#include <stdexcept>

namespace ropelm {

// what() starts with "rank N:" (the rank that noticed) and names the failed peer where it can be known.
class PeerFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ropelm
