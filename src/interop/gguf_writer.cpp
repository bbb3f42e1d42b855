// Writing GGUF v3: header, metadata, tensor infos, padding, then each tensor's data at a 32-byte offset.
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "interop/gguf_file.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

// GGUF is little-endian; so is every machine ropelm builds on (x86-64, aarch64).
static_assert(std::endian::native == std::endian::little, "the GGUF writer assumes a little-endian host");

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_string(std::string& out, const std::string& text) {
  put<uint64_t>(out, text.size());
  out += text;
}

void put_value(std::string& out, const GgufValue& value);

void put_array(std::string& out, const GgufArray& array) {
  put<uint32_t>(out, static_cast<uint32_t>(array.type));
  put<uint64_t>(out, array.items.size());
  for (const auto& item : array.items) {
    if (item.type() != array.type) throw std::logic_error("GGUF array element of another type");
    put_value(out, item);
  }
}

void put_value(std::string& out, const GgufValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          put_string(out, v);
        } else if constexpr (std::is_same_v<T, GgufArray>) {
          put_array(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          put<uint8_t>(out, v ? 1 : 0);
        } else {
          put<T>(out, v);
        }
      },
      value.value);
}

uint64_t aligned(uint64_t offset) {
  return (offset + kGgufAlignment - 1) / kGgufAlignment * kGgufAlignment;
}

// Everything before the tensor data, padded to the alignment; offsets[i] receives tensor i's data offset.
std::string header_bytes(const GgufFile& file, std::vector<uint64_t>& offsets) {
  std::string out = "GGUF";
  put<uint32_t>(out, kGgufVersion);
  put<uint64_t>(out, file.tensors.size());
  put<uint64_t>(out, file.metadata.size());
  for (const auto& [key, value] : file.metadata) {
    put_string(out, key);
    put<uint32_t>(out, static_cast<uint32_t>(value.type()));
    put_value(out, value);
  }
  uint64_t offset = 0;
  for (const auto& tensor : file.tensors) {
    put_string(out, tensor.name);
    put<uint32_t>(out, static_cast<uint32_t>(tensor.dims.size()));
    for (uint64_t dim : tensor.dims) put<uint64_t>(out, dim);
    put<uint32_t>(out, static_cast<uint32_t>(tensor.type));
    put<uint64_t>(out, offset);
    offsets.push_back(offset);
    offset = aligned(offset + tensor.data.size());
  }
  out.resize(aligned(out.size()), '\0');
  return out;
}

// The writer's own invariants: what it would take llama.cpp's loader to reject.
void check_tensors(const GgufFile& file) {
  std::set<std::string> names;
  for (const auto& tensor : file.tensors) {
    if (tensor.name.size() > 63 || !names.insert(tensor.name).second)
      throw std::logic_error("GGUF tensor name too long or repeated: " + tensor.name);
    auto bytes = ggml_tensor_bytes(tensor.type, tensor.dims);
    if (!bytes || *bytes != tensor.data.size())
      throw std::logic_error("GGUF tensor " + tensor.name + " has data of the wrong size");
  }
}

void write_all(std::FILE* out, const char* bytes, size_t size, const std::filesystem::path& path) {
  if (size != 0 && std::fwrite(bytes, 1, size, out) != size)
    throw UserError("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void write_gguf(const std::filesystem::path& path, const GgufFile& file) {
  check_tensors(file);
  std::vector<uint64_t> offsets;
  const std::string header = header_bytes(file, offsets);
  write_file_atomic(path, [&](std::FILE* out) {
    write_all(out, header.data(), header.size(), path);
    const std::string padding(kGgufAlignment, '\0');
    for (const auto& tensor : file.tensors) {
      write_all(out, tensor.data.data(), tensor.data.size(), path);
      write_all(out, padding.data(), aligned(tensor.data.size()) - tensor.data.size(), path);
    }
  });
}

}  // namespace ropelm
