// Checkpoint discovery (list, newest valid) and retention (prune).
#include "checkpoint/checkpoint_retention.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint_dir.h"
#include "checkpoint/checkpoint_manifest.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// "step_00001234" -> 1234; anything else (including scratch ".tmp_*" names) -> nullopt.
std::optional<int64_t> parse_step_name(const std::string& name) {
  constexpr std::string_view prefix = "step_";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  int64_t step = 0;
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size();
  auto [end, error] = std::from_chars(first, last, step);
  if (error != std::errc() || end != last || *first == '-' || *first == '+') return std::nullopt;
  return step;
}

fs::path best_marker(const fs::path& run_dir) {
  return run_dir / "checkpoints" / "best.json";
}

// The step best.json names, if it names one.
std::optional<int64_t> marked_best_step(const fs::path& run_dir) {
  std::error_code error;
  if (!fs::exists(best_marker(run_dir), error)) return std::nullopt;
  auto marker = nlohmann::json::parse(read_file(best_marker(run_dir)), nullptr, /*allow_exceptions=*/false);
  if (!marker.is_object() || !marker.contains("step") || !marker["step"].is_number_integer()) {
    spdlog::warn("ignoring {}: not a best-checkpoint record", best_marker(run_dir).string());
    return std::nullopt;
  }
  return marker["step"].get<int64_t>();
}

void remove_logged(const fs::path& path, const std::string& reason) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) {
    spdlog::warn("could not remove {} ({}): {}", path.string(), reason, error.message());
  } else {
    spdlog::info("removed {} ({})", path.string(), reason);
  }
}

void remove_scratch_dirs(const fs::path& checkpoints) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(checkpoints, error)) {
    if (entry.path().filename().string().rfind(".tmp_", 0) == 0) {
      remove_logged(entry.path(), "left by an interrupted save");
    }
  }
}

}  // namespace

std::vector<CheckpointInfo> list_checkpoints(const fs::path& run_dir) {
  std::vector<CheckpointInfo> checkpoints;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints", error)) {
    std::optional<int64_t> step = parse_step_name(entry.path().filename().string());
    if (step && entry.is_directory()) checkpoints.push_back({*step, entry.path()});
  }
  std::sort(checkpoints.begin(), checkpoints.end(),
            [](const auto& a, const auto& b) { return a.step < b.step; });
  return checkpoints;
}

std::optional<fs::path> newest_valid_checkpoint(const fs::path& run_dir) {
  std::vector<CheckpointInfo> checkpoints = list_checkpoints(run_dir);
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    std::string why;
    if (verify_checkpoint(it->dir, &why)) return it->dir;
    spdlog::warn("skipping checkpoint {}: {}", it->dir.string(), why);
  }
  return std::nullopt;
}

std::optional<fs::path> best_checkpoint(const fs::path& run_dir) {
  std::optional<int64_t> step = marked_best_step(run_dir);
  if (!step) return std::nullopt;
  fs::path dir = checkpoint_dir_for(run_dir, *step);
  std::string why;
  if (verify_checkpoint(dir, &why)) return dir;
  spdlog::warn("best checkpoint {} does not verify: {}", dir.string(), why);
  return std::nullopt;
}

void mark_best_checkpoint(const fs::path& run_dir, int64_t step, double val_loss) {
  write_file_atomic(best_marker(run_dir),
                    nlohmann::json{{"step", step}, {"val_loss", val_loss}}.dump() + "\n");
}

void set_aside_later_checkpoints(const fs::path& run_dir, int64_t step) {
  std::vector<CheckpointInfo> later;
  for (const auto& checkpoint : list_checkpoints(run_dir))
    if (checkpoint.step > step) later.push_back(checkpoint);
  std::optional<int64_t> best = marked_best_step(run_dir);
  const bool best_is_later = best && *best > step;
  if (later.empty() && !best_is_later) return;
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::gmtime(&now));
  fs::path aside = run_dir / "checkpoints" / (std::string("abandoned-") + stamp);
  fs::create_directories(aside);
  for (const auto& checkpoint : later) fs::rename(checkpoint.dir, aside / checkpoint.dir.filename());
  if (best_is_later) fs::rename(best_marker(run_dir), aside / best_marker(run_dir).filename());
  spdlog::warn(
      "resumed at step {}: {} checkpoint(s) of later steps{} belong to the abandoned run: moved to {}", step,
      later.size(), later.empty() ? "" : fmt::format(" ({} to {})", later.front().step, later.back().step),
      aside.string());
  fsync_path(run_dir / "checkpoints");
}

void prune_checkpoints(const fs::path& run_dir, int64_t keep_last, std::optional<int64_t> best_step) {
  if (keep_last < 0) throw std::invalid_argument("prune_checkpoints: negative keep_last");
  std::vector<CheckpointInfo> checkpoints = list_checkpoints(run_dir);
  int64_t kept = 0;
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    if (best_step && it->step == *best_step) continue;
    std::string why;
    if (kept < keep_last && verify_checkpoint(it->dir, &why, /*hash_files=*/false)) {
      ++kept;
    } else if (!why.empty()) {
      spdlog::warn("removing incomplete checkpoint {}: {}", it->dir.string(), why);
      remove_logged(it->dir, "incomplete");
    } else {
      remove_logged(it->dir, "not among the last " + std::to_string(keep_last) + " complete checkpoints");
    }
  }
  remove_scratch_dirs(run_dir / "checkpoints");
}

}  // namespace ropelm
