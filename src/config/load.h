// Resolving a Config: defaults < TOML file < --set overrides, with strict validation (exit 2 on any mistake).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/keys.h"

namespace ropelm {

// Loads `file` (if given) over the defaults, then applies each "section.key=value" override.
// Unknown keys, wrong types, out-of-range values and malformed TOML throw UserError with one line naming the
// key, file:line where it came from a file, and for unknown keys the closest valid key.
Config load_config(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& overrides);

// Parses a resolved config saved as TOML text (e.g. inside a checkpoint); `origin` names it in errors.
Config parse_config_text(std::string_view toml_text, const std::string& origin);

// One key's value as TOML writes it ("0.001", "\"rope\"", "[\"a.txt\"]").
std::string value_text(const Config& config, const KeySpec& key);

// The full resolved config as TOML: every section and key, in table order.
std::string to_toml(const Config& config);

// Every key as a Markdown table (key, type, default, meaning): the README's config reference.
std::string config_reference_markdown();

}  // namespace ropelm
