// Scratch directories beside the output, and their rename into place.
#include "interop/output_dir.h"

#include <unistd.h>

#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;

fs::path scratch_sibling(const fs::path& out, const std::string& tag) {
  fs::path absolute = fs::absolute(out).lexically_normal();
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  return absolute.parent_path() /
         (".tmp_" + tag + "_" + absolute.filename().string() + "_" + std::to_string(::getpid()));
}

void require_free_output(const fs::path& out) {
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out))) {
    throw UserError("output " + out.string() + " already exists; remove it or choose another --out");
  }
  std::error_code error;
  fs::create_directories(scratch_sibling(out, "").parent_path(), error);
  if (error) throw UserError("cannot create the parent of " + out.string() + ": " + error.message());
}

void publish_directory(const fs::path& temp, const fs::path& out) {
  fsync_path(temp);
  std::error_code error;
  fs::rename(temp, out, error);
  if (error) throw UserError("cannot move " + temp.string() + " to " + out.string() + ": " + error.message());
  fsync_path(scratch_sibling(out, "").parent_path());
}

}  // namespace ropelm
