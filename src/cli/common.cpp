// What the subcommands share: the registry, --config/--set resolution and the --nproc launch.
#include <algorithm>
#include <chrono>

#include "cli/command.h"
#include "config/load.h"
#include "distributed/distributed_env.h"
#include "distributed/local_launcher.h"
#include "util/error.h"

namespace ropelm::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

}  // namespace

bool register_command(Command command) {
  auto& commands = registry();
  commands.push_back(std::move(command));
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.order < b.order; });
  return true;
}

const std::vector<Command>& registered_commands() {
  return registry();
}

void add_config_options(CLI::App& command, ConfigArgs& args, bool required) {
  auto* config = command.add_option("--config", args.path, "TOML config file (see README: Config reference)");
  if (required) config->required();
  command.add_option("--set", args.sets, "override one key: section.key=value (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

Config resolve_config(const ConfigArgs& args, const GlobalOptions& global) {
  std::vector<std::string> overrides = args.sets;
  if (!global.device.empty()) overrides.push_back("train.device=" + global.device);
  if (global.threads >= 0) overrides.push_back("train.threads=" + std::to_string(global.threads));
  std::optional<std::filesystem::path> file;
  if (!args.path.empty()) file = args.path;
  return load_config(file, overrides);
}

void add_nproc_option(CLI::App& command, int& nproc) {
  command.add_option("--nproc", nproc, "start N local ranks (data parallel over c10d, as torchrun does)")
      ->check(CLI::PositiveNumber);
}

void launch_ranks_if_asked(int nproc, const GlobalOptions& global, int64_t timeout_s) {
  if (nproc > 1 && !distributed_env_from_environment().distributed())
    throw ExitRequest{launch_local_ranks(nproc, global.argv, std::chrono::seconds(timeout_s))};
}

}  // namespace ropelm::cli
