// save_safetensors: length prefix + space-padded JSON header + raw little-endian data, via write_file_atomic.
#include "checkpoint/safetensors_writer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "checkpoint/safetensors_format.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

struct PreparedTensor {
  std::string name;
  const SafetensorsDtype* dtype;
  at::Tensor data;  // contiguous, CPU
};

std::vector<PreparedTensor> prepare_tensors(const NamedTensors& tensors, const std::filesystem::path& path) {
  std::vector<PreparedTensor> prepared;
  std::set<std::string> seen;
  for (const auto& [name, tensor] : tensors) {
    const std::string where = "cannot save tensor '" + name + "' to " + path.string() + ": ";
    if (name == kSafetensorsMetadataKey) throw UserError(where + "the name is reserved by the format");
    if (!seen.insert(name).second) throw UserError(where + "the name is given twice");
    const SafetensorsDtype* dtype = find_safetensors_dtype(tensor.scalar_type());
    if (!dtype) {
      throw UserError(where + "dtype " + std::string(c10::toString(tensor.scalar_type())) +
                      " is unsupported");
    }
    prepared.push_back({name, dtype, tensor.detach().to(torch::kCPU).contiguous()});
  }
  // The reference writer's order (tensor.rs `prepare`): dtype descending (which groups by element size,
  // largest first, so every tensor is aligned once the header is 8-byte padded), then name.
  std::sort(prepared.begin(), prepared.end(), [](const auto& a, const auto& b) {
    int order_a = a.dtype->reference_order, order_b = b.dtype->reference_order;
    return order_a != order_b ? order_a > order_b : a.name < b.name;
  });
  return prepared;
}

// The header JSON as the reference writer spells it (metadata first, tensors in data order, keys dtype,
// shape, data_offsets; compact), padded with spaces to a multiple of 8 bytes so the data region starts 8-byte
// aligned.
std::string header_text(const std::vector<PreparedTensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[std::string(kSafetensorsMetadataKey)] = metadata;
  uint64_t offset = 0;
  for (const auto& tensor : tensors) {
    uint64_t bytes = tensor.data.numel() * tensor.dtype->size;
    header[tensor.name] = {{"dtype", std::string(tensor.dtype->name)},
                           {"shape", tensor.data.sizes().vec()},
                           {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

void write_bytes(std::FILE* file, const void* data, size_t size, const std::filesystem::path& path) {
  if (size > 0 && std::fwrite(data, 1, size, file) != size) {
    throw UserError("cannot write " + path.string() + ": " + std::strerror(errno) +
                    " (check free space and permissions)");
  }
}

}  // namespace

void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<PreparedTensor> prepared = prepare_tensors(tensors, path);
  std::string header = header_text(prepared, metadata);
  write_file_atomic(path, [&](std::FILE* file) {
    unsigned char length[kSafetensorsLengthBytes];
    for (size_t i = 0; i < kSafetensorsLengthBytes; ++i) length[i] = (header.size() >> (8 * i)) & 0xff;
    write_bytes(file, length, sizeof length, path);
    write_bytes(file, header.data(), header.size(), path);
    for (const auto& tensor : prepared) {
      write_bytes(file, tensor.data.data_ptr(), tensor.data.numel() * tensor.dtype->size, path);
    }
  });
}

}  // namespace ropelm
