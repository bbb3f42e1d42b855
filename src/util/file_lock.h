// An exclusive advisory lock on a file (flock), held for the object's lifetime: serialises cache builders,
// and keeps a second training out of a run dir. The kernel releases it when the holder dies, however it dies.
#pragma once

#include <filesystem>
#include <string>

namespace ropelm {

class FileLock {
 public:
  // Creates the lock file if needed and blocks until the lock is held. Throws UserError naming the path.
  explicit FileLock(const std::filesystem::path& path);
  // Takes the lock without waiting and writes this process's id into the file; when another process holds
  // it, throws UserError "<what> is in use by pid N: <advice>". Also throws UserError when the file cannot
  // be created (a read-only directory), before the caller has changed anything.
  static FileLock acquire_or_fail(const std::filesystem::path& path, const std::string& what,
                                  const std::string& advice);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  FileLock() = default;
  int fd_ = -1;
};

}  // namespace ropelm
