// TOML (toml++) → Config, --set overrides, per-key and cross-key validation.
#include "config/load.h"

#include <toml++/toml.h>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/keys.h"
#include "util/edit_distance.h"
#include "util/error.h"

namespace ropelm {
namespace {

// Where a value came from, for error messages: "configs/tiny.toml:12" or "--set optim.lr=x".
using Origin = std::string;

[[noreturn]] void fail(const Origin& origin, const std::string& message) {
  throw UserError(origin + ": " + message);
}

std::string unknown_key_message(const std::string& name) {
  std::string suggestion = closest_key(name);
  return "unknown key '" + name + "'" + (suggestion.empty() ? "" : " (did you mean " + suggestion + "?)");
}

// "must be an integer", "must be a list of strings": what a value of the key's type is called.
std::string must_be(const FieldRef& field) {
  std::string type = type_name(field);
  return "must be " + std::string(type == "integer" ? "an " : "a ") + type;
}

std::string format_number(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // TOML floats need a dot or exponent
  return text;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// A name that is none of an enum-valued key's choices: the error lists them and the closest one.
[[noreturn]] void fail_choice(const std::string& name, const std::vector<std::string>& names,
                              const KeySpec& key, const Origin& origin) {
  std::string closest = closest_word(name, names);
  fail(origin, key.full_name() + " = '" + name + "' is not one of: " + joined(names) +
                   (closest.empty() ? "" : " (did you mean " + closest + "?)"));
}

void check_range(const KeySpec& key, const FieldRef& field, const Origin& origin) {
  if (!key.range) return;
  double value = 0;
  if (auto* i = std::get_if<int64_t*>(&field)) value = static_cast<double>(**i);
  if (auto* d = std::get_if<double*>(&field)) value = **d;
  const Range& r = *key.range;
  bool ok = std::isfinite(value) || std::isinf(r.max);
  ok = ok && (r.min_open ? value > r.min : value >= r.min) && (r.max_open ? value < r.max : value <= r.max);
  if (ok) return;
  std::string bounds = (r.min_open ? "> " : ">= ") + format_number(r.min);
  if (!std::isinf(r.max)) bounds += (r.max_open ? " and < " : " and <= ") + format_number(r.max);
  std::string shown = std::holds_alternative<int64_t*>(field) ? std::to_string(*std::get<int64_t*>(field))
                                                              : format_number(value);
  fail(origin, key.full_name() + " = " + shown + " is out of range: it must be " + bounds);
}

std::vector<std::string> string_list(const toml::node& node, const KeySpec& key, const Origin& origin) {
  if (auto text = node.value<std::string>(); text && node.is_string()) return {*text};
  const toml::array* array = node.as_array();
  if (!array) fail(origin, key.full_name() + " must be a list of strings");
  std::vector<std::string> items;
  for (const auto& item : *array) {
    if (!item.is_string()) fail(origin, key.full_name() + " must be a list of strings");
    items.push_back(*item.value<std::string>());
  }
  return items;
}

// Assigns a TOML node to the key's field, checking its type.
void assign_node(const toml::node& node, const KeySpec& key, FieldRef field, const Origin& origin) {
  auto wrong_type = [&] { fail(origin, key.full_name() + " " + must_be(field)); };
  if (auto* i = std::get_if<int64_t*>(&field)) {
    if (!node.is_integer()) wrong_type();
    **i = *node.value<int64_t>();
  } else if (auto* d = std::get_if<double*>(&field)) {
    if (!node.is_number()) wrong_type();
    **d = *node.value<double>();
  } else if (auto* b = std::get_if<bool*>(&field)) {
    if (!node.is_boolean()) wrong_type();
    **b = *node.value<bool>();
  } else if (auto* s = std::get_if<std::string*>(&field)) {
    if (!node.is_string()) wrong_type();
    **s = *node.value<std::string>();
  } else if (auto* choice = std::get_if<ChoiceRef>(&field)) {
    if (!node.is_string()) wrong_type();
    std::string name = *node.value<std::string>();
    if (!choice->set(name)) fail_choice(name, choice->names, key, origin);
  } else if (auto* list = std::get_if<ChoiceListRef>(&field)) {
    if (std::optional<std::string> bad = list->set(string_list(node, key, origin)))
      fail_choice(*bad, list->names, key, origin);
  } else {
    *std::get<std::vector<std::string>*>(field) = string_list(node, key, origin);
  }
  check_range(key, field, origin);
}

std::string line_origin(const std::string& file, const toml::node& node) {
  return file + ":" + std::to_string(node.source().begin.line);
}

void apply_table(const toml::table& root, const std::string& file, Config& config,
                 std::set<std::string>& set_keys) {
  for (const auto& [section_name, section] : root) {
    std::string section_str(section_name.str());
    const toml::table* table = section.as_table();
    if (!table) fail(line_origin(file, section), unknown_key_message(section_str) + ": expected a [section]");
    for (const auto& [key_name, value] : *table) {
      std::string full = section_str + "." + std::string(key_name.str());
      const KeySpec* key = find_key(full);
      if (!key) fail(line_origin(file, value), unknown_key_message(full));
      assign_node(value, *key, key->field(config), line_origin(file, value));
      set_keys.insert(full);
    }
  }
}

toml::table parse_toml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    fail(origin + ":" + std::to_string(error.source().begin.line),
         "malformed TOML: " + std::string(error.description()));
  }
}

// Reads an override's value by the key's type: strings need no quotes, lists are a TOML array or one item.
void apply_override(const std::string& assignment, Config& config, std::set<std::string>& set_keys) {
  Origin origin = "--set " + assignment;
  size_t equals = assignment.find('=');
  if (equals == std::string::npos) fail(origin, "expected section.key=value");
  std::string name = assignment.substr(0, equals);
  std::string value = assignment.substr(equals + 1);
  const KeySpec* key = find_key(name);
  if (!key) fail(origin, unknown_key_message(name));
  FieldRef field = key->field(config);
  bool quoted_or_array =
      !value.empty() && (value.front() == '"' || value.front() == '\'' || value.front() == '[');
  bool raw_text = std::holds_alternative<std::string*>(field) || std::holds_alternative<ChoiceRef>(field) ||
                  std::holds_alternative<std::vector<std::string>*>(field) ||
                  std::holds_alternative<ChoiceListRef>(field);
  if (raw_text && !quoted_or_array) {
    toml::value<std::string> text(value);
    assign_node(text, *key, field, origin);
  } else {
    toml::table parsed;
    try {
      parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      fail(origin, key->full_name() + " " + must_be(field) + ", got '" + value + "'");
    }
    assign_node(*parsed.get("v"), *key, field, origin);
  }
  set_keys.insert(name);
}

void require(bool ok, const std::string& message) {
  if (!ok) throw UserError("config: " + message);
}

void validate(Config& config, const std::set<std::string>& set_keys) {
  if (!set_keys.count("data.stride")) config.data.stride = config.data.context_length;
  const ModelConfig& m = config.model;
  require(m.d_model % m.n_heads == 0, "model.n_heads = " + std::to_string(m.n_heads) +
                                          " does not divide model.d_model = " + std::to_string(m.d_model));
  int64_t kv_heads = m.n_kv_heads == 0 ? m.n_heads : m.n_kv_heads;
  require(m.n_heads % kv_heads == 0, "model.n_kv_heads = " + std::to_string(kv_heads) +
                                         " does not divide model.n_heads = " + std::to_string(m.n_heads));
  require(m.position != PositionKind::kRope || (m.d_model / m.n_heads) % 2 == 0,
          "RoPE needs an even head size (model.d_model / model.n_heads)");
  require(config.optim.min_lr <= config.optim.lr, "optim.min_lr must not exceed optim.lr");
  const std::string& device = config.train.device;
  require(device == "auto" || device == "cpu" || device == "cuda" || device.rfind("cuda:", 0) == 0,
          "train.device = '" + device + "' is not one of: auto, cpu, cuda, cuda:N");
  require(!config.data.train.empty(), "data.train names no text");
}

Config resolve(const toml::table* file_table, const std::string& origin,
               const std::vector<std::string>& overrides) {
  Config config;
  std::set<std::string> set_keys;
  if (file_table) apply_table(*file_table, origin, config, set_keys);
  for (const auto& assignment : overrides) apply_override(assignment, config, set_keys);
  validate(config, set_keys);
  return config;
}

}  // namespace

Config load_config(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& overrides) {
  if (!file) return resolve(nullptr, "", overrides);
  std::string origin = file->string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(*file, error)) {
    throw UserError("config file " + origin + " does not exist: check the path given to --config");
  }
  std::ifstream in(*file);
  std::stringstream text;
  text << in.rdbuf();
  toml::table table = parse_toml(text.str(), origin);
  Config config = resolve(&table, origin, overrides);
  config.name = file->stem().string();
  return config;
}

Config parse_config_text(std::string_view toml_text, const std::string& origin) {
  toml::table table = parse_toml(toml_text, origin);
  std::vector<std::string> overrides;
  // The saved text is already resolved, so stride is explicit there; the name travels as a comment-free key.
  return resolve(&table, origin, overrides);
}

namespace {

// toml++ writes a string with a newline as a multi-line literal string, whose first newline TOML drops
// when the file is read back ("\n" came back as ""): such strings are written as basic strings with
// escapes instead (a JSON string is a valid TOML basic string).
std::string toml_string(const std::string& text) {
  if (text.find_first_of("\n\r") == std::string::npos) {
    std::ostringstream out;
    out << toml::value<std::string>(text);
    return out.str();
  }
  return nlohmann::json(text).dump();
}

std::string value_text(const FieldRef& field) {
  std::ostringstream out;
  if (auto* i = std::get_if<int64_t*>(&field)) out << **i;
  if (auto* d = std::get_if<double*>(&field)) out << format_number(**d);
  if (auto* b = std::get_if<bool*>(&field)) out << (**b ? "true" : "false");
  if (auto* s = std::get_if<std::string*>(&field)) out << toml_string(**s);
  if (auto* choice = std::get_if<ChoiceRef>(&field)) out << toml_string(choice->get());
  auto print_list = [&](const std::vector<std::string>& items) {
    toml::array array;
    for (const auto& item : items) array.push_back(item);
    out << array;
  };
  if (auto* list = std::get_if<std::vector<std::string>*>(&field)) print_list(**list);
  if (auto* list = std::get_if<ChoiceListRef>(&field)) print_list(list->get());
  return out.str();
}

}  // namespace

std::string value_text(const Config& config, const KeySpec& key) {
  Config copy = config;
  return value_text(key.field(copy));
}

std::string to_toml(const Config& config) {
  Config copy = config;
  std::ostringstream out;
  std::string section;
  for (const auto& key : config_keys()) {
    if (key.section != section) {
      out << (section.empty() ? "" : "\n") << "[" << key.section << "]\n";
      section = key.section;
    }
    out << key.name << " = " << value_text(key.field(copy)) << "\n";
  }
  return out.str();
}

std::string config_reference_markdown() {
  Config defaults;
  std::ostringstream out;
  out << "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& key : config_keys()) {
    FieldRef field = key.field(defaults);
    std::string meaning = key.doc;
    if (auto* choice = std::get_if<ChoiceRef>(&field)) meaning += " (" + joined(choice->names) + ")";
    if (auto* list = std::get_if<ChoiceListRef>(&field)) meaning += " (each of " + joined(list->names) + ")";
    out << "| `" << key.full_name() << "` | " << type_name(field) << " | `" << value_text(field) << "` | "
        << meaning << " |\n";
  }
  return out.str();
}

}  // namespace ropelm
