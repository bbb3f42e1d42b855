// Parsing the launcher's environment variables into a DistributedEnv.
#include "distributed/distributed_env.h"

#include <charconv>
#include <cstdlib>

#include "util/error.h"

namespace ropelm {
namespace {

int parse_int(const std::string& name, const std::string& text, int min, int max) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw UserError("environment variable " + name + "=\"" + text + "\": expected an integer in [" +
                    std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

class EnvReader {
 public:
  explicit EnvReader(const EnvLookup& lookup) : lookup_(lookup) {}

  bool has(const std::string& name) const { return lookup_(name).has_value(); }

  int required_int(const std::string& name, int min, int max, const std::string& why) const {
    std::optional<std::string> text = lookup_(name);
    if (!text) throw UserError("environment variable " + name + " is not set (" + why + ")");
    return parse_int(name, *text, min, max);
  }

  int optional_int(const std::string& name, int fallback, int min, int max) const {
    std::optional<std::string> text = lookup_(name);
    return text ? parse_int(name, *text, min, max) : fallback;
  }

  std::string text_or(const std::string& name, const std::string& fallback) const {
    return lookup_(name).value_or(fallback);
  }

  std::string required_text(const std::string& name, const std::string& why) const {
    std::optional<std::string> text = lookup_(name);
    if (!text || text->empty()) throw UserError("environment variable " + name + " is not set (" + why + ")");
    return *text;
  }

 private:
  const EnvLookup& lookup_;
};

constexpr int kMaxInt = 1 << 30;

// Rank variables are checked against the world size so that a typo fails here, not as a rendezvous hang.
void read_ranks(const EnvReader& env, DistributedEnv& result, const std::string& rank_var,
                const std::string& size_var, const std::string& local_var, const std::string& why) {
  result.world_size = env.required_int(size_var, 1, kMaxInt, why);
  result.rank = env.required_int(rank_var, 0, kMaxInt, why);
  if (result.rank >= result.world_size) {
    throw UserError("environment variable " + rank_var + "=" + std::to_string(result.rank) +
                    " is not below " + size_var + "=" + std::to_string(result.world_size));
  }
  result.local_rank = env.optional_int(local_var, result.rank, 0, result.world_size - 1);
}

void read_master(const EnvReader& env, DistributedEnv& result, const std::string& why) {
  if (result.world_size == 1) {  // optional: with it, a torchrun'd single rank still forms a process group
    result.master_addr = env.text_or("MASTER_ADDR", "");
    result.master_port = env.optional_int("MASTER_PORT", kDefaultMasterPort, 1, 65535);
    return;
  }
  result.master_addr = env.required_text("MASTER_ADDR", why);
  result.master_port = env.optional_int("MASTER_PORT", kDefaultMasterPort, 1, 65535);
}

// Mirrors torch.distributed.rendezvous._create_c10d_store.
void read_agent_store(const EnvReader& env, DistributedEnv& result) {
  result.agent_store = env.text_or("TORCHELASTIC_USE_AGENT_STORE", "") == "True";
  if (result.agent_store) {
    int attempt = env.optional_int("TORCHELASTIC_RESTART_COUNT", 0, 0, kMaxInt);
    result.store_prefix = "/worker/attempt_" + std::to_string(attempt);
  }
}

// Who set RANK and WORLD_SIZE, for the log: --nproc marks its children; anyone else speaks torchrun's
// protocol.
std::string launcher_name(const EnvReader& env) {
  return env.has(kNprocMarker) ? "ropelm --nproc" : "torchrun";
}

}  // namespace

DistributedEnv distributed_env_from(const EnvLookup& lookup) {
  EnvReader env(lookup);
  DistributedEnv result;
  if (env.has("RANK") || env.has("WORLD_SIZE")) {
    result.launcher = launcher_name(env);
    result.rank_variables = true;
    const std::string why = "torchrun sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT together";
    read_ranks(env, result, "RANK", "WORLD_SIZE", "LOCAL_RANK", why);
    read_master(env, result, why);
    read_agent_store(env, result);
  } else if (env.has("SLURM_PROCID")) {
    result.launcher = "slurm";
    read_ranks(env, result, "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "srun sets it");
    read_master(env, result,
                "under Slurm export it in the sbatch script: "
                "export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)");
  }
  return result;
}

DistributedEnv distributed_env_from_environment() {
  return distributed_env_from([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

}  // namespace ropelm
