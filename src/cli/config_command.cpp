// `ropelm config`: prints the fully resolved config (defaults < file < --set) as TOML.
#include <iostream>

#include "cli/command.h"
#include "config/load.h"

namespace ropelm::cli {
namespace {

void setup_config(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ConfigArgs>();
  CLI::App* command = app.add_subcommand("config", "print the resolved config as TOML");
  add_config_options(*command, *args, /*required=*/false);
  auto reference = std::make_shared<bool>(false);
  command->add_flag("--reference", *reference,
                    "print every key (type, default, meaning) as a Markdown table");
  command->callback([args, reference, &global] {
    std::cout << (*reference ? config_reference_markdown() : to_toml(resolve_config(*args, global)));
  });
}

const bool registered = register_command({"config", setup_config});

}  // namespace
}  // namespace ropelm::cli
