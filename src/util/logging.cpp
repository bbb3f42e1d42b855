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
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  // Only rank 0 reports progress; the others speak only to warn or fail.
  console->set_level(rank == 0 ? parsed : std::max(parsed, spdlog::level::warn));
  auto logger = std::make_shared<spdlog::logger>("ropelm", console);
  std::string prefix = world_size > 1 ? "[rank " + std::to_string(rank) + "] " : "";
  logger->set_pattern("[%H:%M:%S] [%^%l%$] " + prefix + "%v");
  logger->set_level(console->level());  // lowered when a log file is added
  spdlog::set_default_logger(logger);
}

void add_log_file(const std::filesystem::path& path) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.string());
  sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  auto logger = spdlog::default_logger();
  sink->set_level(std::min(logger->level(), spdlog::level::info));
  logger->set_level(std::min(logger->level(), sink->level()));
  logger->sinks().push_back(sink);
}

void write_to_log_files(const std::string& line) {
  auto logger = spdlog::default_logger();
  for (auto& sink : logger->sinks()) {
    if (sink == logger->sinks().front()) continue;  // the console
    sink->log(spdlog::details::log_msg(logger->name(), spdlog::level::err, line));
    sink->flush();
  }
}

}  // namespace ropelm
