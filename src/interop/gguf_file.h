// The GGUF v3 container (ggml docs/gguf.md): typed metadata, tensor infos, then tensor data, each tensor's
// data 32-byte aligned. Knows nothing of models: gguf_llama.h and gguf_tokenizer.h fill it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ropelm {

inline constexpr uint32_t kGgufVersion = 3;
inline constexpr uint64_t kGgufAlignment = 32;  // the spec's default, which ropelm always writes

// gguf_metadata_value_type: the variant below holds its alternatives in this order, so index() is the code.
enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8,
  kUint16,
  kInt16,
  kUint32,
  kInt32,
  kFloat32,
  kBool,
  kString,
  kArray,
  kUint64,
  kInt64,
  kFloat64
};

struct GgufValue;

// An array value: its element type and elements (all of that type; arrays may nest).
struct GgufArray {
  GgufValueType type = GgufValueType::kUint8;
  std::vector<GgufValue> items;
};

struct GgufValue {
  std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool, std::string, GgufArray,
               uint64_t, int64_t, double>
      value;

  GgufValueType type() const { return static_cast<GgufValueType>(value.index()); }
};

// An array of `type` from plain values, e.g. gguf_array<std::string>(GgufValueType::kString, tokens).
template <typename T>
GgufValue gguf_array(GgufValueType type, const std::vector<T>& values) {
  GgufArray array{type, {}};
  array.items.reserve(values.size());
  for (const T& v : values) array.items.push_back(GgufValue{v});
  return GgufValue{std::move(array)};
}

// ggml_type: the tensor element types ropelm writes and reads.
enum class GgmlType : uint32_t { kF32 = 0, kF16 = 1, kQ8_0 = 8, kBF16 = 30 };

// A type's block: how many values it encodes in how many bytes (F32: 1 in 4; Q8_0: 32 in 34).
struct GgmlTypeInfo {
  GgmlType type;
  const char* name;  // as llama.cpp prints it: F32, F16, BF16, Q8_0
  uint64_t block_values;
  uint64_t block_bytes;
};

// The type of a ggml_type code, or nullopt for one ropelm does not handle.
std::optional<GgmlTypeInfo> ggml_type_info(uint32_t code);
const GgmlTypeInfo& ggml_type_info(GgmlType type);

// Bytes of a tensor of these dims: nullopt when dims[0] is not a whole number of blocks or the size
// overflows.
std::optional<uint64_t> ggml_tensor_bytes(GgmlType type, const std::vector<uint64_t>& dims);

struct GgufTensor {
  std::string name;            // at most 63 bytes (ggml's GGML_MAX_NAME less the terminator)
  std::vector<uint64_t> dims;  // ggml order: dims[0] is the contiguous one (a matrix's columns)
  GgmlType type = GgmlType::kF32;
  std::string data;  // the encoded bytes (gguf_tensor_codec.h)
};

struct GgufFile {
  std::vector<std::pair<std::string, GgufValue>> metadata;  // in file order; keys are unique
  std::vector<GgufTensor> tensors;                          // in file order; names are unique

  void set(const std::string& key, GgufValue value);
  const GgufValue* find(const std::string& key) const;
  const GgufTensor* find_tensor(const std::string& name) const;
};

// Writes the file atomically (util/atomic_file.h) with 32-byte alignment. Throws UserError naming the path.
void write_gguf(const std::filesystem::path& path, const GgufFile& file);

// Reads and validates a whole file: magic, version (2 or 3), every count and length against the bytes left,
// key and name uniqueness, tensor types (gguf_tensor_codec.h), dimensions, alignment and data bounds. Throws
// UserError "<path>: <what is wrong>" for anything malformed; never reads past the end.
GgufFile read_gguf(const std::filesystem::path& path);

// Typed metadata look-ups for readers of a file: UserError naming the key when it is absent (required) or of
// another type. Integer keys accept any integer type whose value fits.
std::optional<uint64_t> gguf_uint(const GgufFile& file, const std::string& key, bool required);
std::optional<double> gguf_float(const GgufFile& file, const std::string& key, bool required);
std::optional<std::string> gguf_string(const GgufFile& file, const std::string& key, bool required);
std::optional<bool> gguf_bool(const GgufFile& file, const std::string& key, bool required);
// An array's elements as strings / numbers; UserError when the key holds anything else.
std::vector<std::string> gguf_string_array(const GgufFile& file, const std::string& key);
std::vector<double> gguf_number_array(const GgufFile& file, const std::string& key);

}  // namespace ropelm
