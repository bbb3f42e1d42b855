// Levenshtein distance, for "did you mean …?" suggestions (config keys, subcommands).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ropelm {

// Insertions, deletions and substitutions that turn a into b.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `word`, if it is within max(2, a third of the word) edits; "" otherwise.
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace ropelm
