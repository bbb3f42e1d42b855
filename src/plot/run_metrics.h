// A run's metrics.jsonl read back as the two curves `ropelm plot` draws: training loss and validation loss.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ropelm {

// One row of metrics.jsonl. tokens and elapsed_s are absent on validation rows of runs written before
// they were logged there.
struct MetricsPoint {
  int64_t step = 0;
  std::optional<double> tokens;     // cumulative training tokens
  std::optional<double> elapsed_s;  // training seconds so far (validation time excluded)
  double loss = 0;                  // loss (training rows) or val_loss (validation rows), nats per token
};

struct RunMetrics {
  std::string name;  // the legend's label
  std::vector<MetricsPoint> train;
  std::vector<MetricsPoint> val;
};

// Reads run_dir/metrics.jsonl. Rows with neither loss nor val_loss are skipped; a line that is not JSON
// (a run killed mid-write) ends the file. Throws UserError when the file is missing or has no loss rows.
RunMetrics read_run_metrics(const std::filesystem::path& run_dir, const std::string& name);

}  // namespace ropelm
