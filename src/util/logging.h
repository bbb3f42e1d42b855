// spdlog set-up: console (rank-prefixed when distributed) plus an optional log file in the run dir.
#pragma once

#include <filesystem>
#include <string>

namespace ropelm {

// level: trace | debug | info | warn | error; throws UserError for anything else.
void init_logging(const std::string& level, int rank = 0, int world_size = 1);
// Adds run_dir/train.log (append) to the default logger. The file gets info and above whatever --log-level
// says of the console (a run's log is its record), or more when --log-level asks for debug or trace.
void add_log_file(const std::filesystem::path& path);
// Writes `line` to the log files only (not the console), e.g. the error line the app prints on exit.
void write_to_log_files(const std::string& line);

}  // namespace ropelm
