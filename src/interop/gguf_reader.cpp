// Reading GGUF v2/v3 defensively: every count, length and offset is checked against the bytes that remain
// before anything is allocated for it, so a hostile file is one UserError, never a crash or a huge
// allocation.
#include <bit>
#include <cstring>
#include <set>

#include "interop/gguf_file.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

static_assert(std::endian::native == std::endian::little, "the GGUF reader assumes a little-endian host");

constexpr int kMaxArrayDepth =
    4;  // llama.cpp writes flat arrays; a deep nest is a malformed (or hostile) file
constexpr uint32_t kMaxDims = 4;  // GGML_MAX_DIMS
constexpr size_t kMaxTensorName = 63;

class Cursor {
 public:
  Cursor(const std::string& bytes, const std::filesystem::path& path) : bytes_(bytes), path_(path) {}

  [[noreturn]] void fail(const std::string& what) const { throw UserError(path_.string() + ": " + what); }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  template <typename T>
  T take(const char* what) {
    if (remaining() < sizeof(T)) fail(truncated(what));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string take_string(const char* what) {
    const uint64_t length = take<uint64_t>(what);
    if (length > remaining())
      fail(std::string(what) + " of " + std::to_string(length) + " bytes at byte " + std::to_string(pos_) +
           " runs past the end of the file (truncated or corrupt)");
    std::string text = bytes_.substr(pos_, length);
    pos_ += length;
    return text;
  }

  // A count of items of at least min_bytes each: refused when the rest of the file cannot hold them.
  uint64_t take_count(const char* what, uint64_t min_bytes) {
    const uint64_t count = take<uint64_t>(what);
    if (count > remaining() / min_bytes)
      fail(std::string(what) + " is " + std::to_string(count) + ", more than the " +
           std::to_string(remaining()) + " remaining bytes can hold (truncated or corrupt)");
    return count;
  }

 private:
  std::string truncated(const char* what) const {
    return std::string("truncated: ") + what + " at byte " + std::to_string(pos_) + " ends past the end (" +
           std::to_string(bytes_.size()) + " bytes)";
  }

  const std::string& bytes_;
  const std::filesystem::path& path_;
  size_t pos_ = 0;
};

// The fewest bytes one value of `type` can occupy (a string: its length; an array: type and count).
uint64_t min_value_bytes(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kBool:
      return 1;
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
      return 2;
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kFloat32:
      return 4;
    case GgufValueType::kArray:
      return 12;
    default:
      return 8;
  }
}

GgufValueType take_type(Cursor& in) {
  const uint32_t code = in.take<uint32_t>("a value type");
  if (code > static_cast<uint32_t>(GgufValueType::kFloat64))
    in.fail("unknown metadata value type " + std::to_string(code) + " at byte " +
            std::to_string(in.position() - 4));
  return static_cast<GgufValueType>(code);
}

GgufValue take_value(Cursor& in, GgufValueType type, int depth);

GgufArray take_array(Cursor& in, int depth) {
  if (depth > kMaxArrayDepth) in.fail("metadata arrays nested deeper than " + std::to_string(kMaxArrayDepth));
  GgufArray array;
  array.type = take_type(in);
  const uint64_t count = in.take_count("an array length", min_value_bytes(array.type));
  array.items.reserve(count);
  for (uint64_t i = 0; i < count; ++i) array.items.push_back(take_value(in, array.type, depth + 1));
  return array;
}

GgufValue take_value(Cursor& in, GgufValueType type, int depth) {
  switch (type) {
    case GgufValueType::kUint8:
      return {in.take<uint8_t>("a uint8")};
    case GgufValueType::kInt8:
      return {in.take<int8_t>("an int8")};
    case GgufValueType::kUint16:
      return {in.take<uint16_t>("a uint16")};
    case GgufValueType::kInt16:
      return {in.take<int16_t>("an int16")};
    case GgufValueType::kUint32:
      return {in.take<uint32_t>("a uint32")};
    case GgufValueType::kInt32:
      return {in.take<int32_t>("an int32")};
    case GgufValueType::kFloat32:
      return {in.take<float>("a float32")};
    case GgufValueType::kUint64:
      return {in.take<uint64_t>("a uint64")};
    case GgufValueType::kInt64:
      return {in.take<int64_t>("an int64")};
    case GgufValueType::kFloat64:
      return {in.take<double>("a float64")};
    case GgufValueType::kString:
      return {in.take_string("a string")};
    case GgufValueType::kArray:
      return {take_array(in, depth)};
    case GgufValueType::kBool: {
      const uint8_t flag = in.take<uint8_t>("a bool");
      if (flag > 1)
        in.fail("a bool of value " + std::to_string(flag) + " at byte " + std::to_string(in.position() - 1));
      return {flag == 1};
    }
  }
  in.fail("unknown metadata value type");
}

void take_header(Cursor& in) {
  if (in.remaining() < 4 || in.take<uint32_t>("the magic") != 0x46554747u)  // "GGUF" read little-endian
    in.fail("not a GGUF file (it does not start with the bytes 'GGUF')");
  const uint32_t version = in.take<uint32_t>("the version");
  if (version != 2 && version != 3)
    in.fail("GGUF version " + std::to_string(version) +
            " is not supported (ropelm reads versions 2 and 3, little-endian)");
}

void take_metadata(Cursor& in, uint64_t count, GgufFile& file) {
  std::set<std::string> keys;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key = in.take_string("a metadata key");
    if (key.empty() || key.size() > 65535)
      in.fail("a metadata key of " + std::to_string(key.size()) + " bytes");
    if (!keys.insert(key).second) in.fail("metadata key '" + key + "' appears twice");
    const GgufValueType type = take_type(in);
    file.metadata.emplace_back(std::move(key), take_value(in, type, 0));
  }
}

struct TensorInfo {
  GgufTensor tensor;  // without data yet
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

TensorInfo take_tensor_info(Cursor& in, uint64_t alignment) {
  TensorInfo info;
  GgufTensor& t = info.tensor;
  t.name = in.take_string("a tensor name");
  if (t.name.empty() || t.name.size() > kMaxTensorName)
    in.fail("tensor name '" + t.name.substr(0, 80) + "' is empty or longer than 63 bytes");
  const uint32_t n_dims = in.take<uint32_t>("a tensor's dimension count");
  if (n_dims == 0 || n_dims > kMaxDims)
    in.fail("tensor '" + t.name + "' has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
  for (uint32_t d = 0; d < n_dims; ++d) {
    t.dims.push_back(in.take<uint64_t>("a tensor dimension"));
    if (t.dims.back() == 0 || t.dims.back() > (uint64_t{1} << 40))
      in.fail("tensor '" + t.name + "' has dimension " + std::to_string(t.dims.back()));
  }
  const uint32_t code = in.take<uint32_t>("a tensor type");
  auto type = ggml_type_info(code);
  if (!type)
    in.fail("tensor '" + t.name + "' has ggml type " + std::to_string(code) +
            "; ropelm reads F32 (0), F16 (1), Q8_0 (8) and BF16 (30)");
  t.type = type->type;
  auto bytes = ggml_tensor_bytes(t.type, t.dims);
  if (!bytes)
    in.fail("tensor '" + t.name + "' has a size that is not whole " + type->name + " blocks or overflows");
  info.bytes = *bytes;
  info.offset = in.take<uint64_t>("a tensor offset");
  if (info.offset % alignment != 0)
    in.fail("tensor '" + t.name + "' data offset " + std::to_string(info.offset) + " is not a multiple of " +
            std::to_string(alignment) + " (unaligned)");
  return info;
}

uint64_t file_alignment(const GgufFile& file, const Cursor& in) {
  if (file.find("general.alignment") == nullptr) return kGgufAlignment;
  const GgufValue& value = *file.find("general.alignment");
  const auto* alignment = std::get_if<uint32_t>(&value.value);
  if (alignment == nullptr || *alignment == 0 || !std::has_single_bit(*alignment))
    in.fail("general.alignment is not a uint32 power of two");
  return *alignment;
}

}  // namespace

GgufFile read_gguf(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  Cursor in(bytes, path);
  take_header(in);
  const uint64_t tensor_count = in.take_count("the tensor count", 24);  // name length, dims, type, offset
  const uint64_t kv_count = in.take_count("the metadata count", 13);    // key length, type, one byte
  GgufFile file;
  take_metadata(in, kv_count, file);
  const uint64_t alignment = file_alignment(file, in);
  std::vector<TensorInfo> infos;
  std::set<std::string> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    infos.push_back(take_tensor_info(in, alignment));
    if (!names.insert(infos.back().tensor.name).second)
      in.fail("tensor '" + infos.back().tensor.name + "' appears twice");
  }
  const uint64_t data_start = (in.position() + alignment - 1) / alignment * alignment;
  const uint64_t data_size = data_start <= bytes.size() ? bytes.size() - data_start : 0;
  for (auto& info : infos) {
    if (info.offset > data_size || info.bytes > data_size - info.offset)
      in.fail("tensor '" + info.tensor.name + "' data (" + std::to_string(info.bytes) + " bytes at offset " +
              std::to_string(info.offset) + ") runs past the end of the file (truncated or corrupt)");
    info.tensor.data = bytes.substr(data_start + info.offset, info.bytes);
    file.tensors.push_back(std::move(info.tensor));
  }
  return file;
}

}  // namespace ropelm
