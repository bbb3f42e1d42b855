// SafetensorsFile: mmap + validated header; tensors are copied out of the mapping on request.
#include "checkpoint/safetensors_reader.h"

#include <torch/torch.h>

#include <bit>
#include <cstring>

#include "util/error.h"

namespace ropelm {

// The spec stores data little-endian; copying bytes verbatim is only correct on a little-endian host.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : path_(path), map_(path), header_(parse_safetensors_header(map_.bytes(), path.string())) {
  for (size_t i = 0; i < header_.tensors.size(); ++i) index_[header_.tensors[i].name] = i;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> names;
  names.reserve(header_.tensors.size());
  for (const auto& entry : header_.tensors) names.push_back(entry.name);
  return names;
}

const SafetensorsEntry& SafetensorsFile::info(const std::string& name) const {
  auto found = index_.find(name);
  if (found == index_.end()) throw UserError(path_.string() + " has no tensor named '" + name + "'");
  return header_.tensors[found->second];
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const SafetensorsEntry& entry = info(name);
  at::Tensor result = torch::empty(entry.shape, torch::TensorOptions().dtype(entry.dtype->scalar_type));
  // The header check guarantees [begin, end) lies inside the mapping and equals numel * element size.
  size_t bytes = entry.end - entry.begin;
  if (bytes > 0) std::memcpy(result.data_ptr(), map_.data() + header_.data_start + entry.begin, bytes);
  return result;
}

std::vector<std::pair<std::string, at::Tensor>> load_safetensors(const std::filesystem::path& path) {
  SafetensorsFile file(path);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& name : file.names()) tensors.emplace_back(name, file.tensor(name));
  return tensors;
}

}  // namespace ropelm
