// Scratch directories beside their final name, and the renames that put them in place.
#include "util/publish_dir.h"

#include <unistd.h>

#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

void rename_or_fail(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) throw UserError("cannot move " + from.string() + " to " + to.string() + ": " + error.message());
}

}  // namespace

fs::path scratch_sibling(const fs::path& out, const std::string& tag) {
  fs::path absolute = fs::absolute(out).lexically_normal();
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  return absolute.parent_path() /
         (".tmp_" + tag + "_" + absolute.filename().string() + "_" + std::to_string(::getpid()));
}

void publish_directory(const fs::path& temp, const fs::path& out) {
  fsync_path(temp);
  const fs::path old = scratch_sibling(out, "old");
  const bool replacing = fs::exists(out);
  if (replacing) {
    fs::remove_all(old);
    rename_or_fail(out, old);
  }
  try {
    rename_or_fail(temp, out);
  } catch (...) {
    if (replacing) fs::rename(old, out);
    throw;
  }
  fsync_path(scratch_sibling(out, "").parent_path());
  std::error_code ignored;  // the new directory is in place; a leftover is only a ".tmp_" name to clean up
  if (replacing) fs::remove_all(old, ignored);
}

}  // namespace ropelm
