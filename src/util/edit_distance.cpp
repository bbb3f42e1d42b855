// One row of the dynamic-programming table at a time (Wagner–Fischer).
#include "util/edit_distance.h"

#include <algorithm>
#include <vector>

namespace ropelm {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string closest_word(const std::string& word, const std::vector<std::string>& candidates) {
  std::string closest;
  size_t closest_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    if (distance < closest_distance) {
      closest_distance = distance;
      closest = candidate;
    }
  }
  return closest;
}

}  // namespace ropelm
