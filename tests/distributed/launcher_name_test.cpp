// The launcher a rank names in its log: `--nproc` marks its children, so they do not claim torchrun.
#include <gtest/gtest.h>

#include <map>

#include "distributed/distributed_env.h"

namespace ropelm {
namespace {

DistributedEnv parse(const std::map<std::string, std::string>& variables) {
  return distributed_env_from([&](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  });
}

TEST(LauncherName, NprocChildrenNameNprocOthersTorchrun) {
  const std::map<std::string, std::string> torchrun = {
      {"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}};
  EXPECT_EQ(parse(torchrun).launcher, "torchrun");
  auto nproc = torchrun;
  nproc[kNprocMarker] = "2";
  EXPECT_EQ(parse(nproc).launcher, "ropelm --nproc");
}

}  // namespace
}  // namespace ropelm
