// The table of every config key: its section, name, type, allowed values, documentation and where it lives.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/choices.h"
#include "config/config.h"

namespace ropelm {

// An enum-valued key: its field read and written by the names TOML files use (config/choices.h).
struct ChoiceRef {
  std::function<std::string()> get;
  std::function<bool(const std::string&)> set;  // false (field unchanged) for a name that is no choice
  std::vector<std::string> names;
};

template <typename Enum>
ChoiceRef choice_ref(Enum* field) {
  return {[field] { return std::string(choice_name(*field)); },
          [field](const std::string& name) {
            std::optional<Enum> value = parse_choice<Enum>(name);
            if (value) *field = *value;
            return value.has_value();
          },
          choice_names<Enum>()};
}

// A key whose value is a list of an enum's names (study.positions).
struct ChoiceListRef {
  std::function<std::vector<std::string>()> get;
  // Sets every name; the first that is no choice, when one is not (the field is then unchanged).
  std::function<std::optional<std::string>(const std::vector<std::string>&)> set;
  std::vector<std::string> names;
};

template <typename Enum>
ChoiceListRef choice_list_ref(std::vector<Enum>* field) {
  return {[field] {
            std::vector<std::string> names;
            for (Enum value : *field) names.emplace_back(choice_name(value));
            return names;
          },
          [field](const std::vector<std::string>& names) -> std::optional<std::string> {
            std::vector<Enum> values;
            for (const auto& name : names) {
              std::optional<Enum> value = parse_choice<Enum>(name);
              if (!value) return name;
              values.push_back(*value);
            }
            *field = std::move(values);
            return std::nullopt;
          },
          choice_names<Enum>()};
}

// A pointer to the field a key sets; the alternative says the key's type.
using FieldRef =
    std::variant<int64_t*, double*, bool*, std::string*, std::vector<std::string>*, ChoiceRef, ChoiceListRef>;

// Allowed numeric range; the open flags exclude the bound itself.
struct Range {
  double min;
  double max;
  bool min_open = false;
  bool max_open = false;
};

struct KeySpec {
  std::string section;
  std::string name;
  std::function<FieldRef(Config&)> field;
  std::string doc;
  std::optional<Range> range;  // for numbers

  std::string full_name() const { return section + "." + name; }
};

// Every key, in the order the README and `ropelm config` list them.
const std::vector<KeySpec>& config_keys();
const KeySpec* find_key(const std::string& full_name);
// The section names in order.
std::vector<std::string> config_sections();

// "model.d_model" → the nearest valid key by edit distance, for "did you mean …?" (empty if none is close).
std::string closest_key(const std::string& unknown);

// The key's type as the README and error messages say it: integer, float, boolean, string, list of strings.
std::string type_name(const FieldRef& field);

}  // namespace ropelm
