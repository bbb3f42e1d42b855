// Reading single-file and sharded safetensors weights (transformers' save_pretrained layouts) as fp32.
#include "interop/hf_weight_files.h"

#include <nlohmann/json.hpp>

#include "checkpoint/safetensors_reader.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

// One tensor as fp32; ropelm trains and stores fp32 master weights whatever the source precision.
torch::Tensor fp32_tensor(const SafetensorsFile& file, const std::string& name) {
  const auto scalar_type = file.info(name).dtype->scalar_type;
  if (scalar_type != torch::kFloat && scalar_type != torch::kBFloat16 && scalar_type != torch::kHalf) {
    throw UserError(file.path().string() + ": tensor '" + name + "' has dtype " +
                    std::string(file.info(name).dtype->name) + "; import accepts F32, BF16 and F16");
  }
  return file.tensor(name).to(torch::kFloat);
}

// The index's weight_map, grouped by shard: shard file name → tensor names.
std::map<std::string, std::vector<std::string>> read_shard_index(const fs::path& index_path) {
  std::map<std::string, std::vector<std::string>> shards;
  try {
    auto weight_map = nlohmann::json::parse(read_file(index_path)).at("weight_map");
    for (const auto& [name, shard] : weight_map.items()) shards[shard.get<std::string>()].push_back(name);
  } catch (const nlohmann::json::exception& error) {
    throw UserError("invalid " + index_path.string() + ": " + error.what());
  }
  for (const auto& [shard, names] : shards) {
    // Shards live beside the index; a path elsewhere is a malformed (or hostile) index.
    if (fs::path(shard).filename().string() != shard || shard == "..")
      throw UserError(index_path.string() + ": shard '" + shard +
                      "' is not a file name in the same directory");
  }
  return shards;
}

}  // namespace

std::map<std::string, torch::Tensor> load_hf_weights(const fs::path& dir) {
  std::map<std::string, torch::Tensor> tensors;
  if (fs::exists(dir / kSingleFile)) {
    SafetensorsFile file(dir / kSingleFile);
    for (const auto& name : file.names()) tensors[name] = fp32_tensor(file, name);
    return tensors;
  }
  if (!fs::exists(dir / kIndexFile)) {
    throw UserError(dir.string() + " has neither " + kSingleFile + " nor " + kIndexFile +
                    " (PyTorch .bin weights are not supported: re-save with safe_serialization=True)");
  }
  for (const auto& [shard, names] : read_shard_index(dir / kIndexFile)) {
    SafetensorsFile file(dir / shard);
    for (const auto& name : names) {
      if (!file.contains(name))
        throw UserError(file.path().string() + " has no tensor '" + name + "', which " + kIndexFile +
                        " places there");
      tensors[name] = fp32_tensor(file, name);
    }
  }
  return tensors;
}

}  // namespace ropelm
