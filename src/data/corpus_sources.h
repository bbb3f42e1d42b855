// Turns data.train / data.val entries (files, directories, globs) into the ordered list of text files to
// read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ropelm {

// A resolved source with what the token cache records to notice later edits.
struct SourceFile {
  std::filesystem::path path;  // absolute, normalised
  uint64_t size = 0;
  std::string sha256;  // of the bytes, hex

  bool operator==(const SourceFile&) const = default;
};

// Resolves each entry in order: a file is taken as is (any extension; .jsonl is read as JSON lines, anything
// else as UTF-8 text); a directory contributes its .txt and .jsonl files, recursively, sorted by path; a
// pattern with * ? or [ is a glob (sorted matches, directories expanded as above). Duplicates keep their
// first place. Throws UserError naming `field` (e.g. "data.train") for no entries, a missing path, an empty
// glob, or a directory without .txt/.jsonl files.
std::vector<std::filesystem::path> resolve_sources(const std::vector<std::string>& entries,
                                                   const std::string& field);

// Size and sha256 of each file (the sources' identity in the cache header). Throws UserError naming a path
// that cannot be read.
std::vector<SourceFile> describe_sources(const std::vector<std::filesystem::path>& paths);

}  // namespace ropelm
