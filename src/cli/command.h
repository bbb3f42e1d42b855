// Subcommand registry: each src/cli/*_command.cpp registers its setup function; main() builds the app from
// them.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"

namespace ropelm::cli {

// Options every subcommand sees (set on the top-level app).
struct GlobalOptions {
  std::string log_level = "info";
  std::string device;             // empty: from the config (train.device)
  int64_t threads = -1;           // -1: from the config (train.threads)
  std::vector<std::string> argv;  // the whole command line, for `train --nproc` to start its ranks with
};

// The --config FILE / --set section.key=value pair shared by the commands that take a config.
struct ConfigArgs {
  std::string path;
  std::vector<std::string> sets;
};

void add_config_options(CLI::App& command, ConfigArgs& args, bool required = true);
// Resolves defaults < file < --set < global flags (--device, --threads); throws UserError.
Config resolve_config(const ConfigArgs& args, const GlobalOptions& global);

// --nproc N of the data-parallel commands (train, eval): a one-node torchrun.
void add_nproc_option(CLI::App& command, int& nproc);
// When nproc > 1 and this process is not already a rank, starts nproc ranks of this command line and throws
// ExitRequest with their exit code; otherwise returns and this process runs as it is.
void launch_ranks_if_asked(int nproc, const GlobalOptions& global, int64_t timeout_s);

// A subcommand: `setup` adds it to the app and binds its callback (which may throw UserError).
struct Command {
  int order;  // position in --help
  std::function<void(CLI::App& app, const GlobalOptions& global)> setup;
};

// Registers a command at static-initialisation time; CLI sources are linked into the executable directly.
bool register_command(Command command);
const std::vector<Command>& registered_commands();

}  // namespace ropelm::cli
