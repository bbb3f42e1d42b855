// Writing safetensors files (readable by Hugging Face's safetensors), atomically.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ropelm {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Writes the tensors (any device or layout: each is saved as a contiguous CPU copy) and string metadata to
// path atomically (util/atomic_file.h). The bytes depend only on the set of tensors, not the order given, and
// equal the reference writer's (tensor.rs `prepare`/`serialize`): data sorted by dtype (largest element size
// first, so every tensor starts aligned) then name; header padded with spaces to a multiple of 8 bytes.
// Throws UserError naming the path for duplicate or reserved names, unsupported dtypes, or write failures.
void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace ropelm
