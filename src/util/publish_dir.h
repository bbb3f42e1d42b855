// Publishing a directory built under a temporary name, so that it appears complete at its final name or not
// at all (checkpoints, exports, imports).
#pragma once

#include <filesystem>
#include <string>

namespace ropelm {

// A scratch path beside `out` (same filesystem, so the final rename is atomic): ".tmp_<tag>_<name>_<pid>".
// Names starting with ".tmp_" are what crash clean-up looks for (checkpoint retention).
std::filesystem::path scratch_sibling(const std::filesystem::path& out, const std::string& tag);

// fsyncs `temp` and renames it to `out`, then fsyncs out's parent. An existing `out` is renamed aside first
// and removed once the new one is in place (restored if the rename fails): at every instant but the one
// between the two renames, `out` is either the old directory or the new one, never a mix. Throws UserError
// naming both paths when a rename fails.
void publish_directory(const std::filesystem::path& temp, const std::filesystem::path& out);

}  // namespace ropelm
