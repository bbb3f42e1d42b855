// spdlog set-up: console (rank-prefixed when distributed) plus an optional log file in the run dir.
#pragma once

#include <filesystem>
#include <string>

namespace ropelm {

// level: trace | debug | info | warn | error; throws UserError for anything else.
void init_logging(const std::string& level, int rank = 0, int world_size = 1);
// Adds run_dir/train.log (append) to the default logger.
void add_log_file(const std::filesystem::path& path);

}  // namespace ropelm
