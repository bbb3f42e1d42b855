// Reading rank, world size and rendezvous address from torchrun's, Slurm's or no launcher's environment.
#include <gtest/gtest.h>

#include <map>

#include "distributed/distributed_env.h"
#include "util/error.h"

namespace ropelm {
namespace {

DistributedEnv parse(const std::map<std::string, std::string>& vars) {
  return distributed_env_from([&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

void expect_error_naming(const std::map<std::string, std::string>& vars, const std::string& variable) {
  try {
    parse(vars);
    FAIL() << "expected a UserError naming " << variable;
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find(variable), std::string::npos) << error.what();
  }
}

TEST(DistributedEnv, NoLauncherIsOneProcess) {
  DistributedEnv env = parse({{"HOME", "/root"}});
  EXPECT_EQ(env.world_size, 1);
  EXPECT_EQ(env.rank, 0);
  EXPECT_FALSE(env.distributed());
  EXPECT_EQ(env.launcher, "none");
}

TEST(DistributedEnv, Torchrun) {
  DistributedEnv env = parse({{"RANK", "3"},
                              {"WORLD_SIZE", "4"},
                              {"LOCAL_RANK", "1"},
                              {"MASTER_ADDR", "node7"},
                              {"MASTER_PORT", "1234"},
                              {"SLURM_PROCID", "0"}});  // torchrun inside a Slurm job wins
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.master_addr, "node7");
  EXPECT_EQ(env.master_port, 1234);
  EXPECT_EQ(env.launcher, "torchrun");
  EXPECT_TRUE(env.distributed());
}

TEST(DistributedEnv, TorchrunAgentStore) {
  DistributedEnv env = parse({{"RANK", "0"},
                              {"WORLD_SIZE", "2"},
                              {"MASTER_ADDR", "127.0.0.1"},
                              {"MASTER_PORT", "29500"},
                              {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                              {"TORCHELASTIC_RESTART_COUNT", "2"}});
  EXPECT_TRUE(env.agent_store);
  EXPECT_EQ(env.store_prefix, "/worker/attempt_2");
  EXPECT_FALSE(
      parse({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"TORCHELASTIC_USE_AGENT_STORE", "False"}}).agent_store);
}

TEST(DistributedEnv, TorchrunWithOneProcessNeedsNoMaster) {
  DistributedEnv env = parse({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
  EXPECT_FALSE(env.distributed());
}

TEST(DistributedEnv, TorchrunWithOneProcessAndAMasterFormsAGroup) {
  EXPECT_TRUE(parse({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"MASTER_ADDR", "127.0.0.1"}}).distributed());
  EXPECT_FALSE(
      parse({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}, {"MASTER_ADDR", "127.0.0.1"}}).distributed());
}

TEST(DistributedEnv, LocalRankDefaultsToRank) {
  DistributedEnv env = parse({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}});
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.master_port, kDefaultMasterPort);
}

TEST(DistributedEnv, Slurm) {
  DistributedEnv env = parse(
      {{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"}, {"MASTER_ADDR", "gpu-node-01"}});
  EXPECT_EQ(env.rank, 5);
  EXPECT_EQ(env.world_size, 8);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.master_addr, "gpu-node-01");
  EXPECT_EQ(env.master_port, 29500);
  EXPECT_EQ(env.launcher, "slurm");
}

TEST(DistributedEnv, SlurmSingleTaskIsOneProcess) {
  EXPECT_FALSE(parse({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}, {"SLURM_LOCALID", "0"}}).distributed());
}

TEST(DistributedEnv, MalformedValuesNameTheVariable) {
  expect_error_naming({{"RANK", "one"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}}, "RANK");
  expect_error_naming({{"RANK", "0"}, {"WORLD_SIZE", "2x"}, {"MASTER_ADDR", "a"}}, "WORLD_SIZE");
  expect_error_naming({{"RANK", "0"}, {"WORLD_SIZE", "0"}}, "WORLD_SIZE");
  expect_error_naming({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}}, "RANK");
  expect_error_naming({{"RANK", "-1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}}, "RANK");
  expect_error_naming({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}}, "RANK");
  expect_error_naming({{"RANK", "0"}, {"WORLD_SIZE", "2"}}, "MASTER_ADDR");
  expect_error_naming({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}},
                      "MASTER_PORT");
  expect_error_naming({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"LOCAL_RANK", "5"}},
                      "LOCAL_RANK");
  expect_error_naming({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "0"}}, "scontrol");
  expect_error_naming({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", ""}}, "SLURM_NTASKS");
}

// `--nproc` marks its children, so that they do not claim torchrun in the log.
TEST(DistributedEnv, NprocChildrenNameNprocOthersTorchrun) {
  std::map<std::string, std::string> vars = {{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}};
  EXPECT_EQ(parse(vars).launcher, "torchrun");
  vars[kNprocMarker] = "2";
  EXPECT_EQ(parse(vars).launcher, "ropelm --nproc");
}

}  // namespace
}  // namespace ropelm
