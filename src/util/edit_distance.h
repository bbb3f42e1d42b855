// Levenshtein distance, for "did you mean …?" suggestions (config keys, subcommands).
#pragma once

#include <cstddef>
#include <string>

namespace ropelm {

// Insertions, deletions and substitutions that turn a into b.
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace ropelm
