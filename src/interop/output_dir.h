// Where export and import write: a directory that must not exist yet (they never overwrite).
#pragma once

#include <filesystem>

namespace ropelm {

// Throws UserError when `out` exists and is not an empty directory: export and import never overwrite.
// Creates out's parent directories.
void require_free_output(const std::filesystem::path& out);

}  // namespace ropelm
