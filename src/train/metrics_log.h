// run_dir/metrics.jsonl: one JSON object per logged step or eval, for other tools to read.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace ropelm {

class MetricsLog {
 public:
  // Opens for append. With resume_step ≥ 0, first drops rows after that step (written after the checkpoint
  // the run resumes from), so that the file reads as one uninterrupted run.
  MetricsLog(const std::filesystem::path& path, int64_t resume_step);
  void write(const nlohmann::json& row);

 private:
  std::ofstream out_;
};

}  // namespace ropelm
