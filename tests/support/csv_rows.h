// Splits CSV text (no quoting, as results.csv writes it) into rows of fields, for tests that read it back.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace ropelm::testing {

inline std::vector<std::vector<std::string>> csv_rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string field; std::getline(cells, field, ',');) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace ropelm::testing
