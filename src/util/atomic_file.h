// Crash-safe writes: write to a temporary sibling, fsync, rename over the target, fsync the directory.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

namespace ropelm {

// Writes bytes to path atomically: readers see the old file or the complete new one, never a partial file.
// Throws UserError naming the path on failure (and leaves any previous file untouched).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Same, for content produced by a writer that receives an open FILE* (for large streamed outputs).
void write_file_atomic(const std::filesystem::path& path, const std::function<void(std::FILE*)>& write);

// fsyncs a file or a directory (so that a rename inside it is durable).
void fsync_path(const std::filesystem::path& path);

// Reads a whole file; throws UserError naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace ropelm
