// Splits one source file into documents: the whole file (.txt), one per JSON line (.jsonl), or paragraphs.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ropelm {

// The documents of one file. Views point into the file's bytes or into `owned` (decoded JSON strings), so
// keep the mapping alive and do not copy this struct (moving is fine: a vector's move keeps its elements in
// place).
struct SourceDocuments {
  std::vector<std::string> owned;
  std::vector<std::string_view> documents;
};

// bytes: the whole file. A leading UTF-8 byte-order mark is dropped (it is an encoding marker, not text).
// .jsonl: each non-blank line is an object whose "text" string is a document (empty texts are skipped).
// paragraphs: documents are further split at blank (whitespace-only) lines, blank paragraphs dropped.
// Throws UserError naming the path for an empty file, NUL bytes (a binary file), invalid UTF-8 (with the byte
// offset), or a malformed JSON line (with its line number).
SourceDocuments split_documents(const std::filesystem::path& path, std::string_view bytes, bool paragraphs);

}  // namespace ropelm
