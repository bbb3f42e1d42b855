// Publishing a directory built under a temporary name, so that it appears complete at its final name or not
// at all.
#pragma once

#include <filesystem>
#include <string>

namespace ropelm {

// A scratch path beside `out` (same filesystem, so the final rename is atomic): ".tmp_<tag>_<name>_<pid>".
std::filesystem::path scratch_sibling(const std::filesystem::path& out, const std::string& tag);

// Throws UserError when `out` exists and is not an empty directory: export and import never overwrite.
// Creates out's parent directories.
void require_free_output(const std::filesystem::path& out);

// fsyncs `temp`, renames it to `out` (an empty directory there is replaced) and fsyncs out's parent.
void publish_directory(const std::filesystem::path& temp, const std::filesystem::path& out);

}  // namespace ropelm
