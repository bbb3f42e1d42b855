// Subcommand registry: each src/cli/*_command.cpp registers its setup function; main() builds the app from
// them.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
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

// An option whose value is one of an enum's config names (config/choices.h), listed in its help; `value`
// stays empty unless the option is given.
template <typename Enum>
CLI::Option* add_choice_option(CLI::App& command, const std::string& name, std::optional<Enum>& value,
                               const std::string& description) {
  std::vector<std::string> names = choice_names<Enum>();
  std::string listed;
  for (const auto& choice : names) listed += (listed.empty() ? "" : " | ") + choice;
  return command
      .add_option_function<std::string>(
          name, [&value](const std::string& text) { value = parse_choice<Enum>(text); },
          listed + " (" + description + ")")
      ->check(CLI::IsMember(names));
}
// Resolves defaults < file < --set < global flags (--device, --threads); throws UserError. Warns about
// settings that are legal but likely mistakes (config/config_warnings.h).
Config resolve_config(const ConfigArgs& args, const GlobalOptions& global);
// resolve_config, then the input files (tokenizer, and data when `with_data`) found and made absolute
// (config/input_paths.h), as train and data need them: a checkpoint then records where its data is.
Config resolve_config_with_inputs(const ConfigArgs& args, const GlobalOptions& global, bool with_data);

// A subcommand: `setup` adds it to the app and binds its callback (which may throw UserError).
struct Command {
  std::string name;  // the subcommand word that `setup` adds; listed in cli/command_list.h
  std::function<void(CLI::App& app, const GlobalOptions& global)> setup;
};

// Registers a command at static-initialisation time; CLI sources are linked into the executable directly.
bool register_command(Command command);
// The commands this executable has, in cli/command_list.h's order (the order of --help).
const std::vector<Command>& registered_commands();
bool is_registered_command(const std::string& name);

// The global options that take a value (--log-level info): what `subcommand_word` skips.
inline constexpr const char* kGlobalOptionsWithValue[] = {"--log-level", "--device", "--threads"};
// The subcommand a command line names: its first argument that is neither an option nor a global option's
// value ("" when there is none, as with `ropelm --help`).
std::string subcommand_word(int argc, char** argv);
// Throws UserError for a subcommand word that names no command, suggesting the closest one ("did you mean
// train?"): CLI11 alone would say "A subcommand is required".
void check_subcommand_word(int argc, char** argv);

// Builds the app from the registered commands, parses argv, runs the chosen command and maps errors to exit
// codes: UserError → 2 with one line on stderr, PeerFailure → 4, ExitRequest → its code. Log lines carry
// the rank when world_size > 1.
int run_app(int argc, char** argv, int rank = 0, int world_size = 1);

}  // namespace ropelm::cli
