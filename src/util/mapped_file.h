// A read-only memory map of a whole file (token caches, safetensors): the OS pages it in on demand.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace ropelm {

class MappedFile {
 public:
  // Throws UserError naming the path when the file cannot be opened or mapped.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  std::string_view bytes() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  void release();
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ropelm
