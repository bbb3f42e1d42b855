// What the subcommands share: the registry and --config/--set resolution.
#include <algorithm>
#include <string_view>

#include "cli/command.h"
#include "cli/command_list.h"
#include "config/config_warnings.h"
#include "config/input_paths.h"
#include "config/load.h"
#include "util/edit_distance.h"
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
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) {
    return command_position(a.name) < command_position(b.name);
  });
  return true;
}

const std::vector<Command>& registered_commands() {
  return registry();
}

bool is_registered_command(const std::string& name) {
  const auto& commands = registry();
  return std::any_of(commands.begin(), commands.end(),
                     [&](const Command& command) { return command.name == name; });
}

std::string subcommand_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool takes_value = std::find(std::begin(kGlobalOptionsWithValue), std::end(kGlobalOptionsWithValue),
                                 arg) != std::end(kGlobalOptionsWithValue);
    if (takes_value) {
      ++i;
    } else if (!arg.starts_with("-")) {
      return std::string(arg);
    }
  }
  return "";
}

void check_subcommand_word(int argc, char** argv) {
  std::string word = subcommand_word(argc, argv);
  if (word.empty() || is_registered_command(word)) return;
  std::vector<std::string> commands;
  std::string names;
  for (const auto& command : registered_commands()) {
    commands.push_back(command.name);
    names += (names.empty() ? "" : ", ") + command.name;
  }
  std::string closest = closest_word(word, commands);
  throw UserError("unknown command '" + word +
                  "': " + (closest.empty() ? "the commands are " + names : "did you mean " + closest + "?") +
                  " (ropelm --help lists them)");
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
  Config config = load_config(file, overrides);
  warn_about_config(config);
  return config;
}

Config resolve_config_with_inputs(const ConfigArgs& args, const GlobalOptions& global, bool with_data) {
  Config config = resolve_config(args, global);
  std::optional<std::filesystem::path> file;
  if (!args.path.empty()) file = args.path;
  locate_tokenizer_files(config, file);
  if (with_data) locate_data_files(config, file);
  return config;
}

}  // namespace ropelm::cli
