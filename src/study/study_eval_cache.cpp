// The study's score cache: one JSON object per line, {"key", "nll", "tokens"}.
#include "study/study_eval_cache.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {

StudyEvalCache::StudyEvalCache(std::filesystem::path file) : file_(std::move(file)) {
  if (!std::filesystem::exists(file_)) return;
  std::string text = read_file(file_);
  ends_mid_line_ = !text.empty() && text.back() != '\n';
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object() || !row.contains("key") || !row["nll"].is_number() ||
        !row["tokens"].is_number_integer())
      continue;
    scores_[row["key"].get<std::string>()] = {row["nll"].get<double>(), row["tokens"].get<int64_t>()};
  }
}

std::optional<StudyScore> StudyEvalCache::find(const std::string& key) const {
  auto found = scores_.find(key);
  if (found == scores_.end()) return std::nullopt;
  return found->second;
}

void StudyEvalCache::add(const std::string& key, const StudyScore& score) {
  std::ofstream out(file_, std::ios::app);
  if (ends_mid_line_) out << "\n";
  ends_mid_line_ = false;
  // nlohmann prints doubles with round-trip precision: a cached score is bitwise the computed one.
  out << nlohmann::json{{"key", key}, {"nll", score.nll}, {"tokens", score.tokens}}.dump() << "\n";
  out.flush();
  if (!out) throw UserError("cannot append to " + file_.string() + " (is the study's --out writable?)");
  scores_[key] = score;
}

}  // namespace ropelm
