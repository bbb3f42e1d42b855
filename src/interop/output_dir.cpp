// The output check of export and import.
#include "interop/output_dir.h"

#include "util/error.h"
#include "util/publish_dir.h"

namespace ropelm {
namespace fs = std::filesystem;

void require_free_output(const fs::path& out) {
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out))) {
    throw UserError("output " + out.string() + " already exists; remove it or choose another --out");
  }
  std::error_code error;
  fs::create_directories(scratch_sibling(out, "").parent_path(), error);
  if (error) throw UserError("cannot create the parent of " + out.string() + ": " + error.message());
}

}  // namespace ropelm
