// flock-based inter-process lock.
#include "data/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/error.h"

namespace ropelm {

FileLock::FileLock(const std::filesystem::path& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw UserError("cannot create lock file " + path.string() + ": " + std::strerror(errno));
  int rc;
  do {
    rc = ::flock(fd_, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int saved_errno = errno;
    ::close(fd_);
    throw UserError("cannot lock " + path.string() + ": " + std::strerror(saved_errno));
  }
}

FileLock::~FileLock() {
  // Closing the descriptor releases the flock.
  ::close(fd_);
}

}  // namespace ropelm
