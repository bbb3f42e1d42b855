// GGUF's tensor types and block sizes, and typed access to a file's metadata.
#include "interop/gguf_file.h"

#include <array>
#include <limits>

#include "util/error.h"

namespace ropelm {
namespace {

// ggml.c's type_traits for the types ropelm encodes (gguf_tensor_codec.h).
constexpr std::array<GgmlTypeInfo, 4> kTypes = {{{GgmlType::kF32, "F32", 1, 4},
                                                 {GgmlType::kF16, "F16", 1, 2},
                                                 {GgmlType::kQ8_0, "Q8_0", 32, 34},
                                                 {GgmlType::kBF16, "BF16", 1, 2}}};

const char* type_name(GgufValueType type) {
  constexpr std::array<const char*, 13> kNames = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                                  "int32",  "float32", "bool",   "string", "array",
                                                  "uint64", "int64",   "float64"};
  return kNames.at(static_cast<size_t>(type));
}

[[noreturn]] void wrong_type(const std::string& key, const GgufValue& value, const std::string& expected) {
  throw UserError("GGUF key '" + key + "' has type " + type_name(value.type()) + ", expected " + expected);
}

const GgufValue* lookup(const GgufFile& file, const std::string& key, bool required) {
  const GgufValue* value = file.find(key);
  if (value == nullptr && required) throw UserError("the GGUF file has no key '" + key + "'");
  return value;
}

// A value of any integer type, if it is one and not negative.
std::optional<uint64_t> as_uint(const GgufValue& value) {
  return std::visit(
      [](const auto& v) -> std::optional<uint64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if (v < 0) return std::nullopt;
          return static_cast<uint64_t>(v);
        }
        return std::nullopt;
      },
      value.value);
}

std::optional<double> as_number(const GgufValue& value) {
  return std::visit(
      [](const auto& v) -> std::optional<double> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) return static_cast<double>(v);
        return std::nullopt;
      },
      value.value);
}

const GgufArray& array_of(const GgufFile& file, const std::string& key) {
  const GgufValue* value = lookup(file, key, true);
  if (const auto* array = std::get_if<GgufArray>(&value->value)) return *array;
  wrong_type(key, *value, "an array");
}

}  // namespace

std::optional<GgmlTypeInfo> ggml_type_info(uint32_t code) {
  for (const auto& info : kTypes)
    if (static_cast<uint32_t>(info.type) == code) return info;
  return std::nullopt;
}

const GgmlTypeInfo& ggml_type_info(GgmlType type) {
  for (const auto& info : kTypes)
    if (info.type == type) return info;
  throw std::logic_error("unhandled GgmlType");
}

std::optional<uint64_t> ggml_tensor_bytes(GgmlType type, const std::vector<uint64_t>& dims) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  if (dims.empty() || dims[0] % info.block_values != 0) return std::nullopt;
  uint64_t blocks = dims[0] / info.block_values;
  for (size_t i = 1; i < dims.size(); ++i) {
    if (dims[i] != 0 && blocks > std::numeric_limits<uint64_t>::max() / dims[i]) return std::nullopt;
    blocks *= dims[i];
  }
  if (blocks > std::numeric_limits<uint64_t>::max() / info.block_bytes) return std::nullopt;
  return blocks * info.block_bytes;
}

void GgufFile::set(const std::string& key, GgufValue value) {
  for (auto& [name, existing] : metadata) {
    if (name == key) {
      existing = std::move(value);
      return;
    }
  }
  metadata.emplace_back(key, std::move(value));
}

const GgufValue* GgufFile::find(const std::string& key) const {
  for (const auto& [name, value] : metadata)
    if (name == key) return &value;
  return nullptr;
}

const GgufTensor* GgufFile::find_tensor(const std::string& name) const {
  for (const auto& tensor : tensors)
    if (tensor.name == name) return &tensor;
  return nullptr;
}

std::optional<uint64_t> gguf_uint(const GgufFile& file, const std::string& key, bool required) {
  const GgufValue* value = lookup(file, key, required);
  if (value == nullptr) return std::nullopt;
  auto number = as_uint(*value);
  if (!number) wrong_type(key, *value, "a non-negative integer");
  return number;
}

std::optional<double> gguf_float(const GgufFile& file, const std::string& key, bool required) {
  const GgufValue* value = lookup(file, key, required);
  if (value == nullptr) return std::nullopt;
  auto number = as_number(*value);
  if (!number) wrong_type(key, *value, "a number");
  return number;
}

std::optional<std::string> gguf_string(const GgufFile& file, const std::string& key, bool required) {
  const GgufValue* value = lookup(file, key, required);
  if (value == nullptr) return std::nullopt;
  if (const auto* text = std::get_if<std::string>(&value->value)) return *text;
  wrong_type(key, *value, "a string");
}

std::optional<bool> gguf_bool(const GgufFile& file, const std::string& key, bool required) {
  const GgufValue* value = lookup(file, key, required);
  if (value == nullptr) return std::nullopt;
  if (const auto* flag = std::get_if<bool>(&value->value)) return *flag;
  wrong_type(key, *value, "a bool");
}

std::vector<std::string> gguf_string_array(const GgufFile& file, const std::string& key) {
  const GgufArray& array = array_of(file, key);
  if (array.type != GgufValueType::kString)
    throw UserError("GGUF key '" + key + "' is an array of " + type_name(array.type) + ", expected strings");
  std::vector<std::string> strings;
  strings.reserve(array.items.size());
  for (const auto& item : array.items) strings.push_back(std::get<std::string>(item.value));
  return strings;
}

std::vector<double> gguf_number_array(const GgufFile& file, const std::string& key) {
  const GgufArray& array = array_of(file, key);
  std::vector<double> numbers;
  numbers.reserve(array.items.size());
  for (const auto& item : array.items) {
    auto number = as_number(item);
    if (!number)
      throw UserError("GGUF key '" + key + "' is an array of " + type_name(array.type) +
                      ", expected numbers");
    numbers.push_back(*number);
  }
  return numbers;
}

}  // namespace ropelm
