// Errors a user can cause (bad config, files, data, checkpoints): reported as one line, exit code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace ropelm {

// Thrown for anything the user can fix; main() prints what() as one line and exits with kExitUserError.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kExitUserError = 2;
constexpr int kExitTooManyBadSteps = 3;
constexpr int kExitPeerFailure = 4;  // another rank died or hung (distributed/peer_failure.h)

}  // namespace ropelm

namespace ropelm {

// Thrown by a subcommand that has finished and wants a specific exit code (e.g. kExitTooManyBadSteps).
struct ExitRequest {
  int code;
};

}  // namespace ropelm
