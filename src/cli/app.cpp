// The command-line app both executables run: global options, the registered subcommands, and the mapping of
// errors to exit codes.
#include <cstdlib>
#include <iostream>
#include <new>
#include <stdexcept>

#include "cli/command.h"
#include "distributed/peer_failure.h"
#include "util/error.h"
#include "util/logging.h"

namespace ropelm::cli {
namespace {

// Anything that is not a user error is a bug of ropelm's: one line, exit 1, never std::terminate's trace.
constexpr int kExitInternalError = 1;

// One line on stderr, and in train.log when the run has one (a start-up error belongs in the run's log too).
int report_error(const std::string& text, int code) {
  std::string line = "error: " + text;
  std::cerr << line << "\n";
  write_to_log_files(line);
  return code;
}

// LibTorch's c10::Error appends a multi-line C++ backtrace to what(): its first line says what went wrong.
int report_internal_error(const std::string& what) {
  return report_error("internal error: " + what.substr(0, what.find('\n')) +
                          " (please report this, with the command line, to the ropelm maintainers)",
                      kExitInternalError);
}

}  // namespace

int run_app(int argc, char** argv, int rank, int world_size) {
  CLI::App app{"ropelm: train, resume and evaluate small RoPE transformer language models"};
  app.require_subcommand(1);
  app.fallthrough();  // global options also after the subcommand: `train --config X --device cpu`
  app.set_version_flag("--version",
                       std::string("ropelm ") + ROPELM_VERSION_STRING + " (" + ROPELM_LIBTORCH_BUILD + ")");
  GlobalOptions global;
  app.add_option(kGlobalOptionsWithValue[0], global.log_level, "trace | debug | info | warn | error")
      ->capture_default_str();
  app.add_option(kGlobalOptionsWithValue[1], global.device,
                 "auto | cpu | cuda | cuda:N (overrides train.device)");
  app.add_option(kGlobalOptionsWithValue[2], global.threads,
                 "intra-op CPU threads, 0 = all cores (overrides train.threads)")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.starts_with("-") ? "must be 0 (all cores) or a thread count, not " + value : "";
          },
          "N >= 0"));
  global.argv.assign(argv, argv + argc);
  app.parse_complete_callback([&] { init_logging(global.log_level, rank, world_size); });
  for (const auto& command : registered_commands()) command.setup(app, global);
  try {
    // A test seam: the internal-error path is tested without a real bug to provoke it.
    if (std::getenv("ROPELM_TEST_INTERNAL_ERROR"))
      throw std::logic_error("ROPELM_TEST_INTERNAL_ERROR is set\nas a c10::Error's backtrace would follow");
    check_subcommand_word(argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kExitUserError;
  } catch (const UserError& error) {
    return report_error(error.what(), kExitUserError);
  } catch (const ExitRequest& request) {
    return request.code;
  } catch (const PeerFailure& failure) {
    return report_error(failure.what(), kExitPeerFailure);
  } catch (const std::bad_alloc&) {
    return report_internal_error("out of memory (std::bad_alloc)");
  } catch (const std::exception& error) {
    return report_internal_error(error.what());
  } catch (...) {
    return report_internal_error("an exception of unknown type");
  }
  return 0;
}

}  // namespace ropelm::cli
