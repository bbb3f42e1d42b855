// Source resolution (files, directories, globs) and content hashes of the resolved files.
#include "data/corpus_sources.h"

#include <glob.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "util/error.h"
#include "util/mapped_file.h"
#include "util/sha256.h"

namespace ropelm {
namespace fs = std::filesystem;

namespace {

bool is_glob(const std::string& entry) {
  return entry.find_first_of("*?[") != std::string::npos;
}

bool is_text_source(const fs::path& path) {
  return path.extension() == ".txt" || path.extension() == ".jsonl";
}

std::vector<fs::path> directory_sources(const fs::path& dir, const std::string& field) {
  std::vector<fs::path> files, skipped;
  for (const auto& entry :
       fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) {
    if (!entry.is_regular_file()) continue;
    (is_text_source(entry.path()) ? files : skipped).push_back(entry.path());
  }
  if (files.empty())
    throw UserError(field + ": directory " + dir.string() + " holds no .txt or .jsonl files");
  if (!skipped.empty()) {
    std::sort(skipped.begin(), skipped.end());
    spdlog::warn(
        "{}: skipped {} file(s) in {} that are neither .txt nor .jsonl (first: {}); name them "
        "explicitly to read them as text",
        field, skipped.size(), dir.string(), skipped.front().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> glob_matches(const std::string& pattern, const std::string& field) {
  glob_t matches{};
  int rc = ::glob(pattern.c_str(), 0, nullptr, &matches);
  std::vector<fs::path> paths(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
  ::globfree(&matches);
  if (rc != 0 || paths.empty()) throw UserError(field + ": no file matches '" + pattern + "'");
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<fs::path> entry_sources(const fs::path& path, const std::string& field) {
  std::error_code error;
  auto status = fs::status(path, error);
  if (error || !fs::exists(status)) throw UserError(field + ": " + path.string() + " does not exist");
  if (fs::is_directory(status)) return directory_sources(path, field);
  if (!fs::is_regular_file(status)) throw UserError(field + ": " + path.string() + " is not a regular file");
  return {path};
}

}  // namespace

std::vector<fs::path> resolve_sources(const std::vector<std::string>& entries, const std::string& field) {
  if (entries.empty()) throw UserError(field + ": no sources given (list files, directories or globs)");
  std::vector<fs::path> resolved;
  std::set<fs::path> seen;
  for (const std::string& entry : entries) {
    std::vector<fs::path> candidates =
        is_glob(entry) ? glob_matches(entry, field) : std::vector<fs::path>{entry};
    for (const fs::path& candidate : candidates) {
      for (const fs::path& file : entry_sources(candidate, field)) {
        fs::path absolute = fs::absolute(file).lexically_normal();
        if (seen.insert(absolute).second) resolved.push_back(absolute);
      }
    }
  }
  return resolved;
}

std::vector<SourceFile> describe_sources(const std::vector<fs::path>& paths) {
  std::vector<SourceFile> sources;
  sources.reserve(paths.size());
  for (const fs::path& path : paths) {
    MappedFile file(path);
    sources.push_back({path, file.size(), sha256_hex(file.bytes())});
  }
  return sources;
}

}  // namespace ropelm
