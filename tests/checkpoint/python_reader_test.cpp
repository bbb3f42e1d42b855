// Our safetensors files read by an independent reader: scripts/check_safetensors.py (Python stdlib only).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "checkpoint/safetensors_writer.h"
#include "test_helpers.h"

namespace ropelm {
namespace {

using testing::read_bytes;
using testing::TempDir;

TEST(PythonReader, ReadsWhatTheWriterWrites) {
  ASSERT_EQ(std::system("python3 --version > /dev/null 2>&1"), 0)
      << "python3 is needed: scripts/setup.sh installs it";
  TempDir dir;
  // Small integers: exact in every dtype, so the sums compare exactly.
  NamedTensors tensors = {{"emb", torch::arange(12, torch::kFloat).reshape({3, 4})},
                          {"norm", torch::tensor({1.0f, -2.0f, 3.0f}).to(torch::kBFloat16)},
                          {"half", torch::tensor({-1.0f, 0.5f}).to(torch::kHalf)},
                          {"steps", torch::tensor({int64_t{5}, int64_t{-7}})},
                          {"mask", torch::tensor({true, true, false})}};
  save_safetensors(dir.path() / "m.safetensors", tensors, {{"format", "pt"}});
  std::string command = "python3 " ROPELM_SOURCE_DIR "/scripts/check_safetensors.py " +
                        (dir.path() / "m.safetensors").string() + " > " + (dir.path() / "out.json").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  nlohmann::json out = nlohmann::json::parse(read_bytes(dir.path() / "out.json"));
  EXPECT_EQ(out["metadata"], (nlohmann::json{{"format", "pt"}}));
  ASSERT_EQ(out["tensors"].size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    SCOPED_TRACE(name);
    const auto& info = out["tensors"][name];
    EXPECT_EQ(info["shape"].get<std::vector<int64_t>>(), tensor.sizes().vec());
    EXPECT_EQ(info["sum"].get<double>(), tensor.to(torch::kDouble).sum().item<double>());
  }
  EXPECT_EQ(out["tensors"]["norm"]["dtype"], "BF16");
  EXPECT_EQ(out["tensors"]["half"]["dtype"], "F16");
}

}  // namespace
}  // namespace ropelm
