// Reading safetensors files through a memory map, validated against the file size before any allocation.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint/safetensors_header.h"
#include "util/mapped_file.h"

namespace ropelm {

class SafetensorsFile {
 public:
  // Maps and validates the whole header (see parse_safetensors_header); throws UserError naming the path.
  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  // Tensor names in the order of their data in the file.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // dtype, shape and offsets; throws UserError naming the file when there is no such tensor.
  const SafetensorsEntry& info(const std::string& name) const;
  // An owning CPU copy (so it outlives this object and the mapping).
  at::Tensor tensor(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }

 private:
  std::filesystem::path path_;
  MappedFile map_;
  SafetensorsHeader header_;
  std::map<std::string, size_t> index_;  // name -> position in header_.tensors
};

// Every tensor of a file, in file order.
std::vector<std::pair<std::string, at::Tensor>> load_safetensors(const std::filesystem::path& path);

}  // namespace ropelm
