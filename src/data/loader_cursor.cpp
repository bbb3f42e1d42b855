// JSON form of the loader cursor (checkpoint metadata).
#include "data/loader_cursor.h"

#include <nlohmann/json.hpp>

#include <string>

#include "util/error.h"

namespace ropelm {

namespace {

int64_t read_count(const nlohmann::json& json, const char* key) {
  if (!json.is_object() || !json.contains(key) || !json[key].is_number_integer() ||
      json[key].get<int64_t>() < 0) {
    throw UserError(std::string("data cursor: '") + key + "' must be a non-negative integer in " +
                    json.dump());
  }
  return json[key].get<int64_t>();
}

}  // namespace

void to_json(nlohmann::json& json, const LoaderCursor& cursor) {
  json = nlohmann::json{{"epoch", cursor.epoch}, {"position", cursor.position}};
}

void from_json(const nlohmann::json& json, LoaderCursor& cursor) {
  cursor.epoch = read_count(json, "epoch");
  cursor.position = read_count(json, "position");
}

}  // namespace ropelm
