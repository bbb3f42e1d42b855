// Finding the input files a config names (tokenizer files, training and validation text) wherever ropelm
// runs from: a relative path that does not exist from the working directory is looked up next to the config
// file, then in the installed data directory. Found paths are made absolute, so the config a run saves (and
// every checkpoint) names files that eval finds from any directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace ropelm {

// Where `cmake --install` puts data/ (PREFIX/share/ropelm, beside PREFIX/bin of the running executable), and
// the place relative paths such as "data/the-verdict.txt" are finally looked up in.
std::filesystem::path installed_data_root();

// The places a relative `entry` is looked for, in order: the working directory, the config file's directory
// (when there is a file), installed_data_root(). An absolute entry is its only place.
std::vector<std::filesystem::path> lookup_places(const std::string& entry,
                                                 const std::optional<std::filesystem::path>& config_file);

// `entry` as an absolute path in the first place where it exists (for a glob: matches something). Throws
// UserError naming `field`, the entry and every place tried.
std::string locate_input(const std::string& entry, const std::string& field,
                         const std::optional<std::filesystem::path>& config_file);

// tokenizer.vocab and tokenizer.merges (when set and the tokenizer reads files) located in place.
void locate_tokenizer_files(Config& config, const std::optional<std::filesystem::path>& config_file);
// Every entry of data.train and data.val located in place; data.cache_dir made absolute.
void locate_data_files(Config& config, const std::optional<std::filesystem::path>& config_file);

}  // namespace ropelm
