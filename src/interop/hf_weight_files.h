// The weights of a Hugging Face model directory: one model.safetensors, or shards listed by
// model.safetensors.index.json.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

namespace ropelm {

// Every tensor, converted to fp32 (F32, BF16 and F16 are accepted). Throws UserError naming the file for a
// missing file, a shard that lacks a tensor the index assigns to it, or another dtype.
std::map<std::string, torch::Tensor> load_hf_weights(const std::filesystem::path& dir);

}  // namespace ropelm
