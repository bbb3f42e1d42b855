// Scores a study has already computed, kept in OUT/<position>/study_evals.jsonl, so that a study called again
// (after a stop, or to redraw its results) scores only what is missing.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "study/study_results.h"

namespace ropelm {

class StudyEvalCache {
 public:
  // Reads `file` if it exists; lines that are not a JSON object with key, nll and tokens (the last line of a
  // study killed mid-write) are skipped.
  explicit StudyEvalCache(std::filesystem::path file);

  std::optional<StudyScore> find(const std::string& key) const;
  // Appends one line and flushes it, so that a killed study keeps every score it finished.
  void add(const std::string& key, const StudyScore& score);

 private:
  std::filesystem::path file_;
  std::map<std::string, StudyScore> scores_;
  bool ends_mid_line_ = false;  // the file's last line lacks its newline: the next one starts a new line
};

}  // namespace ropelm
