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

// A subcommand: `setup` adds it to the app and binds its callback (which may throw UserError).
struct Command {
  int order;  // position in --help
  std::function<void(CLI::App& app, const GlobalOptions& global)> setup;
};

// Registers a command at static-initialisation time; CLI sources are linked into the executable directly.
bool register_command(Command command);
const std::vector<Command>& registered_commands();

}  // namespace ropelm::cli
