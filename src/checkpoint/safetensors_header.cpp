// Safetensors header parsing: length prefix, JSON, per-tensor entries, and the no-gap/no-overlap data layout.
#include "checkpoint/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

#include "util/error.h"

namespace ropelm {
namespace {

using nlohmann::json;

[[noreturn]] void reject(const std::string& origin, const std::string& problem) {
  throw UserError("invalid safetensors file " + origin + ": " + problem);
}

uint64_t read_u64_le(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < kSafetensorsLengthBytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

// nlohmann::json keeps the last of duplicate keys silently; a tensor named twice must be an error instead.
json parse_json_rejecting_duplicate_names(std::string_view text, const std::string& origin) {
  std::set<std::string> names;
  std::string duplicate;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text.begin(), text.end(), callback);
  } catch (const json::parse_error& error) {
    // nlohmann quotes the last token read, which in a hostile header can be megabytes long.
    reject(origin, "header is not valid JSON (" + std::string(error.what()).substr(0, 200) + ")");
  }
  if (!duplicate.empty()) reject(origin, "tensor name '" + duplicate + "' appears twice in the header");
  return header;
}

// A short description of a bad value for an error message. Containers are named, not dumped: dump() recurses,
// and a hostile header may nest arrays millions deep.
std::string describe(const json& value) {
  if (!value.is_primitive()) return std::string("an ") + value.type_name();
  std::string text = value.dump();
  return text.size() <= 40 ? text : text.substr(0, 40) + "...";
}

uint64_t unsigned_field(const json& value, const std::string& where, const std::string& origin) {
  if (!value.is_number_unsigned()) {
    reject(origin, where + " must be a non-negative integer, got " + describe(value));
  }
  return value.get<uint64_t>();
}

std::vector<int64_t> parse_shape(const json& shape, const std::string& name, const std::string& origin) {
  if (!shape.is_array()) reject(origin, "tensor '" + name + "': shape must be an array");
  std::vector<int64_t> dims;
  for (const auto& dim : shape) {
    uint64_t size = unsigned_field(dim, "tensor '" + name + "': each shape entry", origin);
    if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      reject(origin, "tensor '" + name + "': dimension " + std::to_string(size) + " is too large");
    }
    dims.push_back(static_cast<int64_t>(size));
  }
  return dims;
}

// Bytes the shape occupies, or a rejection when the element count or byte count overflows 63 bits.
uint64_t shape_bytes(const SafetensorsEntry& entry, const std::string& origin) {
  uint64_t bytes = entry.dtype->size;
  for (int64_t dim : entry.shape) {
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes) ||
        bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      reject(origin, "tensor '" + entry.name + "': shape is too large (size overflows)");
    }
  }
  return bytes;
}

SafetensorsEntry parse_entry(const std::string& name, const json& value, const std::string& origin) {
  const std::string where = "tensor '" + name + "'";
  if (!value.is_object()) reject(origin, where + " must be an object");
  for (const auto& [key, unused] : value.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      reject(origin, where + ": unexpected key '" + key + "'");
    }
  }
  if (!value.contains("dtype") || !value["dtype"].is_string()) {
    reject(origin, where + ": dtype must be a string");
  }
  SafetensorsEntry entry;
  entry.name = name;
  std::string dtype = value["dtype"].get<std::string>();
  entry.dtype = find_safetensors_dtype(dtype);
  if (!entry.dtype) reject(origin, where + ": unsupported dtype '" + dtype + "'");
  if (!value.contains("shape")) reject(origin, where + ": shape is missing");
  entry.shape = parse_shape(value["shape"], name, origin);
  if (!value.contains("data_offsets") || !value["data_offsets"].is_array() ||
      value["data_offsets"].size() != 2) {
    reject(origin, where + ": data_offsets must be an array [begin, end]");
  }
  entry.begin = unsigned_field(value["data_offsets"][0], where + ": data_offsets begin", origin);
  entry.end = unsigned_field(value["data_offsets"][1], where + ": data_offsets end", origin);
  if (entry.begin > entry.end) reject(origin, where + ": data_offsets begin is after end");
  uint64_t expected = shape_bytes(entry, origin);
  if (entry.end - entry.begin != expected) {
    reject(origin, where + ": data_offsets span " + std::to_string(entry.end - entry.begin) + " bytes but " +
                       dtype + " shape needs " + std::to_string(expected));
  }
  return entry;
}

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& origin) {
  if (!value.is_object()) reject(origin, "__metadata__ must be an object of strings");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) reject(origin, "__metadata__ value for '" + key + "' must be a string");
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

// The reference reader (tensor.rs `validate`) requires the tensors to tile the data region exactly: sorted by
// offset, each begins where the previous ended and the last ends at the end of the file.
void check_layout(std::vector<SafetensorsEntry>& tensors, uint64_t data_size, const std::string& origin) {
  std::stable_sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t position = 0;
  for (const auto& entry : tensors) {
    const std::string where = "tensor '" + entry.name + "' at [" + std::to_string(entry.begin) + ", " +
                              std::to_string(entry.end) + ")";
    if (entry.end > data_size) {
      reject(origin, where + " runs past the data region of " + std::to_string(data_size) + " bytes");
    }
    if (entry.begin < position) reject(origin, where + " overlaps the previous tensor");
    if (entry.begin > position) {
      reject(origin, where + " leaves a gap after offset " + std::to_string(position));
    }
    position = entry.end;
  }
  if (position != data_size) {
    reject(origin, "tensors cover " + std::to_string(position) + " bytes but the data region has " +
                       std::to_string(data_size) + " (truncated or trailing bytes)");
  }
}

}  // namespace

SafetensorsHeader parse_safetensors_header(std::string_view file, const std::string& origin) {
  if (file.size() < kSafetensorsLengthBytes) {
    reject(origin,
           "file is " + std::to_string(file.size()) + " bytes, too short for the 8-byte header length");
  }
  uint64_t header_size = read_u64_le(file);
  if (header_size > kSafetensorsMaxHeaderBytes) {
    reject(origin, "header length " + std::to_string(header_size) + " exceeds the 100 MB limit");
  }
  if (header_size > file.size() - kSafetensorsLengthBytes) {
    reject(origin, "header length " + std::to_string(header_size) + " runs past the end of the file (" +
                       std::to_string(file.size()) + " bytes; truncated?)");
  }
  std::string_view text = file.substr(kSafetensorsLengthBytes, header_size);
  // The header must start with '{' (tensor.rs InvalidHeaderStart), so once it parses it is a JSON object.
  if (text.empty() || text.front() != '{') reject(origin, "header must be a JSON object starting with '{'");
  json header = parse_json_rejecting_duplicate_names(text, origin);

  SafetensorsHeader result;
  result.data_start = kSafetensorsLengthBytes + header_size;
  for (const auto& [name, value] : header.items()) {
    if (name == kSafetensorsMetadataKey) {
      result.metadata = parse_metadata(value, origin);
    } else {
      result.tensors.push_back(parse_entry(name, value, origin));
    }
  }
  check_layout(result.tensors, file.size() - result.data_start, origin);
  return result;
}

}  // namespace ropelm
