// JSON-lines metrics, truncated to the resumed step on resume.
#include "train/metrics_log.h"

#include <sstream>
#include <string>

#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

void drop_rows_after(const std::filesystem::path& path, int64_t step) {
  if (!std::filesystem::exists(path)) return;
  std::istringstream in(read_file(path));
  std::string kept, line;
  while (std::getline(in, line)) {
    auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_object() && row.value("step", int64_t{0}) <= step) kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

}  // namespace

MetricsLog::MetricsLog(const std::filesystem::path& path, int64_t resume_step) {
  if (resume_step >= 0) drop_rows_after(path, resume_step);
  out_.open(path, std::ios::app);
  if (!out_) throw UserError("cannot write " + path.string() + ": check the run directory's permissions");
}

void MetricsLog::write(const nlohmann::json& row) {
  out_ << row.dump() << "\n";
  out_.flush();
}

}  // namespace ropelm
