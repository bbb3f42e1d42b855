// spdlog set-up shared by every subcommand.
#include "util/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/error.h"

namespace ropelm {

void init_logging(const std::string& level, int rank, int world_size) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw UserError("--log-level: unknown level '" + level + "' (use trace, debug, info, warn or error)");
  }
  auto logger =
      std::make_shared<spdlog::logger>("ropelm", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::string prefix = world_size > 1 ? "[rank " + std::to_string(rank) + "] " : "";
  logger->set_pattern("[%H:%M:%S] [%^%l%$] " + prefix + "%v");
  // Only rank 0 reports progress; the others speak only to warn or fail.
  logger->set_level(rank == 0 ? parsed : std::max(parsed, spdlog::level::warn));
  spdlog::set_default_logger(logger);
}

void add_log_file(const std::filesystem::path& path) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string());
  sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  spdlog::default_logger()->sinks().push_back(sink);
}

}  // namespace ropelm
