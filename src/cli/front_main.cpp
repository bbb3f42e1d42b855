// ropelm: the executable users run. The commands that need no LibTorch (the light ones of
// cli/command_list.h) run here, in a process that never loads it: LibTorch's libraries (~290 shared objects
// on Debian) cost ~165 MB of resident memory and ~0.4 s at start-up before main() runs (measured with `ropelm
// --version`). Every other command line (train, eval, --help, --version, ...) is handed, by exec, to
// ropelm-torch next to this executable: same process id, so signals, exit codes and torchrun's supervision
// work as if it were one program.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/command_list.h"
#include "util/error.h"

namespace {

std::filesystem::path torch_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / "ropelm-torch";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ropelm;
  if (cli::is_light_command(cli::subcommand_word(argc, argv))) return cli::run_app(argc, argv);
  std::filesystem::path full = torch_executable();
  ::execv(full.c_str(), argv);
  std::cerr << "error: cannot run " << full.string() << " (" << std::strerror(errno)
            << "): ropelm needs it for this command; build or install both executables together\n";
  return kExitUserError;
}
