// The command-line app both executables run: global options, the registered subcommands, and the mapping of
// errors to exit codes.
#include <iostream>

#include "cli/command.h"
#include "distributed/peer_failure.h"
#include "util/error.h"
#include "util/logging.h"

namespace ropelm::cli {

int run_app(int argc, char** argv, int rank, int world_size) {
  CLI::App app{"ropelm: train, resume and evaluate small RoPE transformer language models"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("ropelm ") + ROPELM_VERSION_STRING + " (" + ROPELM_LIBTORCH_BUILD + ")");
  GlobalOptions global;
  app.add_option(kGlobalOptionsWithValue[0], global.log_level, "trace | debug | info | warn | error")
      ->capture_default_str();
  app.add_option(kGlobalOptionsWithValue[1], global.device,
                 "auto | cpu | cuda | cuda:N (overrides train.device)");
  app.add_option(kGlobalOptionsWithValue[2], global.threads,
                 "intra-op CPU threads, 0 = all cores (overrides train.threads)");
  global.argv.assign(argv, argv + argc);
  app.parse_complete_callback([&] { init_logging(global.log_level, rank, world_size); });
  for (const auto& command : registered_commands()) command.setup(app, global);
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

}  // namespace ropelm::cli
