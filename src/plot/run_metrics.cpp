// metrics.jsonl → training and validation points.
#include "plot/run_metrics.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

std::optional<double> optional_number(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

MetricsPoint point_of(const nlohmann::json& row, double loss) {
  return {row.value("step", int64_t{0}), optional_number(row, "tokens"), optional_number(row, "elapsed_s"),
          loss};
}

}  // namespace

RunMetrics read_run_metrics(const std::filesystem::path& run_dir, const std::string& name) {
  std::filesystem::path path = run_dir / "metrics.jsonl";
  if (!std::filesystem::exists(path)) {
    throw UserError(path.string() + " does not exist: give the directory of a `ropelm train` run");
  }
  RunMetrics run;
  run.name = name;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object()) break;
    if (auto loss = optional_number(row, "loss")) run.train.push_back(point_of(row, *loss));
    if (auto val_loss = optional_number(row, "val_loss")) run.val.push_back(point_of(row, *val_loss));
  }
  if (run.train.empty() && run.val.empty()) throw UserError(path.string() + " has no loss rows yet");
  return run;
}

}  // namespace ropelm
