// flock-based inter-process lock.
#include "util/file_lock.h"

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

FileLock FileLock::acquire_or_fail(const std::filesystem::path& path, const std::string& what,
                                   const std::string& advice) {
  FileLock lock;
  lock.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ < 0) throw UserError("cannot create lock file " + path.string() + ": " + std::strerror(errno));
  if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    ssize_t length = ::pread(lock.fd_, holder, sizeof holder - 1, 0);
    std::string pid = length > 0 ? std::string(holder, static_cast<size_t>(length)) : "unknown";
    throw UserError(what + " is in use by pid " + pid + ": " + advice);
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock.fd_, 0) != 0 || ::pwrite(lock.fd_, pid.data(), pid.size(), 0) < 0)
    throw UserError("cannot write lock file " + path.string() + ": " + std::strerror(errno));
  return lock;
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock::~FileLock() {
  // Closing the descriptor releases the flock.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ropelm
