// Input lookup: working directory, then beside the config file, then the installed data directory.
#include "config/input_paths.h"

#include <glob.h>

#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

bool is_glob(const std::string& entry) {
  return entry.find_first_of("*?[") != std::string::npos;
}

bool exists_as_input(const fs::path& path) {
  if (!is_glob(path.string())) {
    std::error_code error;
    return fs::exists(path, error);
  }
  glob_t matches{};
  bool found = ::glob(path.c_str(), 0, nullptr, &matches) == 0 && matches.gl_pathc > 0;
  ::globfree(&matches);
  return found;
}

}  // namespace

fs::path installed_data_root() {
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return exe.parent_path().parent_path() / "share" / "ropelm";
}

std::vector<fs::path> lookup_places(const std::string& entry, const std::optional<fs::path>& config_file) {
  fs::path path(entry);
  if (path.is_absolute()) return {path};
  std::vector<fs::path> places = {fs::absolute(path)};
  if (config_file) places.push_back(fs::absolute(*config_file).parent_path() / path);
  if (fs::path root = installed_data_root(); !root.empty()) places.push_back(root / path);
  return places;
}

std::string locate_input(const std::string& entry, const std::string& field,
                         const std::optional<fs::path>& config_file) {
  std::vector<fs::path> places = lookup_places(entry, config_file);
  for (const fs::path& place : places) {
    if (exists_as_input(place)) return place.lexically_normal().string();
  }
  std::string tried;
  for (const fs::path& place : places)
    tried += (tried.empty() ? "" : ", ") + place.lexically_normal().string();
  throw UserError(field + " = '" + entry + "' does not exist (tried " + tried +
                  "): check the path, relative to the working directory or to the config file");
}

void locate_tokenizer_files(Config& config, const std::optional<fs::path>& config_file) {
  TokenizerConfig& tokenizer = config.tokenizer;
  if (tokenizer.type == TokenizerKind::kBytes) return;  // no vocabulary file
  tokenizer.vocab = locate_input(tokenizer.vocab, "tokenizer.vocab", config_file);
  if (!tokenizer.merges.empty())
    tokenizer.merges = locate_input(tokenizer.merges, "tokenizer.merges", config_file);
}

void locate_data_files(Config& config, const std::optional<fs::path>& config_file) {
  for (std::string& entry : config.data.train) entry = locate_input(entry, "data.train", config_file);
  for (std::string& entry : config.data.val) entry = locate_input(entry, "data.val", config_file);
  // The cache is output, so it is not looked up; absolute, eval from elsewhere reuses the run's cache.
  config.data.cache_dir = fs::absolute(config.data.cache_dir).lexically_normal().string();
}

}  // namespace ropelm
