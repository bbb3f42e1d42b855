// ropelm: parse the command line, dispatch to a subcommand, map errors to exit codes. Nothing else lives
// here.
#include <torch/version.h>

#include <iostream>

#include "cli/command.h"
#include "distributed/distributed_env.h"
#include "distributed/peer_failure.h"
#include "model/cpu_block_cache.h"
#include "util/error.h"
#include "util/logging.h"

namespace {

std::string version_text() {
  return std::string("ropelm ") + ROPELM_VERSION_STRING + " (LibTorch " + TORCH_VERSION + ")";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ropelm;
  install_cpu_block_cache();  // before any tensor exists, so every step reuses the pages of the last
  CLI::App app{"ropelm: train, resume and evaluate small RoPE transformer language models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text());
  cli::GlobalOptions global;
  app.add_option("--log-level", global.log_level, "trace | debug | info | warn | error")
      ->capture_default_str();
  app.add_option("--device", global.device, "auto | cpu | cuda | cuda:N (overrides train.device)");
  app.add_option("--threads", global.threads,
                 "intra-op CPU threads, 0 = all cores (overrides train.threads)");
  global.argv.assign(argv, argv + argc);
  app.parse_complete_callback([&] {
    DistributedEnv env = distributed_env_from_environment();  // log lines carry the rank in a distributed run
    init_logging(global.log_level, env.rank, env.world_size);
  });
  for (const auto& command : cli::registered_commands()) command.setup(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kExitUserError;
  } catch (const UserError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitUserError;
  } catch (const ExitRequest& request) {
    return request.code;
  } catch (const PeerFailure& failure) {
    std::cerr << "error: " << failure.what() << "\n";
    return kExitPeerFailure;
  }
  return 0;
}
