// An exclusive advisory lock on a file (flock), held for the object's lifetime: serialises cache builders.
#pragma once

#include <filesystem>

namespace ropelm {

class FileLock {
 public:
  // Creates the lock file if needed and blocks until the lock is held. Throws UserError naming the path.
  explicit FileLock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace ropelm
