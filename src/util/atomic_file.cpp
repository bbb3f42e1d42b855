// Crash-safe file writes (temp + fsync + rename).
#include "util/atomic_file.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw UserError("cannot write " + path.string() + ": " + what + " (check free space and permissions)");
}

fs::path temp_sibling(const fs::path& path) {
  return path.parent_path() / fmt::format(".{}.tmp.{}", path.filename().string(), ::getpid());
}

}  // namespace

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail(path, std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && errno != EINVAL) fail(path, std::strerror(errno));
}

void write_file_atomic(const fs::path& path, const std::function<void(std::FILE*)>& write) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  fs::path temp = temp_sibling(path);
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (!file) fail(path, std::strerror(errno));
  try {
    write(file);
  } catch (...) {
    std::fclose(file);
    fs::remove(temp);
    throw;
  }
  bool ok = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  int saved_errno = errno;
  ok = (std::fclose(file) == 0) && ok;
  if (!ok) {
    fs::remove(temp);
    fail(path, std::strerror(saved_errno));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    saved_errno = errno;
    fs::remove(temp);
    fail(path, std::strerror(saved_errno));
  }
  fsync_path(dir);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  write_file_atomic(path, [&](std::FILE* file) {
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) {
      fail(path, std::strerror(errno));
    }
  });
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot read " + path.string() + ": check that the file exists and is readable");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace ropelm
