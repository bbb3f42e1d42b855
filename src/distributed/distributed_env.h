// Who this process is in a data-parallel job: rank, world size and rendezvous address, read from the
// environment that torchrun, Slurm or `ropelm train --nproc N` set up.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ropelm {

constexpr int kDefaultMasterPort = 29500;  // torchrun's default (c10d::TCPStoreOptions::kDefaultPort)
// Set by `--nproc N` in its children's environment (to N), so that they name their launcher correctly.
inline constexpr const char* kNprocMarker = "ROPELM_NPROC";

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;  // 1 (and not started the torchrun way): a single process; no process group
  int local_rank = 0;  // index on this node: picks cuda:<local_rank>
  std::string master_addr;
  int master_port = kDefaultMasterPort;
  std::string launcher = "none";  // ropelm --nproc | torchrun | slurm | none ... (for the log)
  // torchrun's agent already serves a TCPStore at MASTER_ADDR:MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE=True,
  // its static rendezvous): every rank connects as a client under this prefix, as PyTorch's env:// does.
  bool agent_store = false;
  std::string store_prefix;  // "/worker/attempt_<TORCHELASTIC_RESTART_COUNT>" with the agent's store

  bool rank_variables = false;  // RANK and WORLD_SIZE were set (torchrun's protocol, whoever followed it)

  // A rank started the torchrun way (RANK, WORLD_SIZE and MASTER_ADDR) joins a process group even when it is
  // the only one, as PyTorch's DDP does under torchrun --nproc-per-node 1; RANK=0 WORLD_SIZE=1 alone, or a
  // single Slurm task (any process of an allocation), stays one process.
  bool distributed() const { return world_size > 1 || (rank_variables && !master_addr.empty()); }
};

// Looks up one environment variable; std::nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The rules, in order:
//  1. torchrun (and `ropelm train --nproc N`): RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK
//     (LOCAL_RANK defaults to RANK: one node).
//  2. Slurm (srun): SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, plus MASTER_ADDR, which Slurm does not set:
//     the sbatch script exports it, e.g.
//       export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
//     MASTER_PORT defaults to 29500.
//  3. Neither: world size 1.
// Malformed or inconsistent values throw UserError naming the variable.
DistributedEnv distributed_env_from(const EnvLookup& lookup);
DistributedEnv distributed_env_from_environment();

}  // namespace ropelm
