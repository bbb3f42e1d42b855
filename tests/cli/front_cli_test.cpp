// The two executables: `ropelm` runs the light commands of cli/command_list.h without LibTorch and hands
// every other command line to `ropelm-torch` by exec.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/version.h>

#include "cli/command_list.h"
#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The shared libraries the dynamic loader maps for `binary` (ldd), as text.
std::string loaded_libraries(const fs::path& binary) {
  auto listing = fs::temp_directory_path() / ("ropelm_ldd_" + std::to_string(::getpid()));
  std::string command = "ldd '" + binary.string() + "' >'" + listing.string() + "' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0);
  std::string text = slurp(listing);
  fs::remove(listing);
  return text;
}

TEST(FrontCli, RopelmLoadsNoLibTorchAndRopelmTorchDoes) {
  EXPECT_THAT(loaded_libraries(ROPELM_BIN), Not(HasSubstr("libtorch")));
  EXPECT_THAT(loaded_libraries(fs::path(ROPELM_BIN).parent_path() / "ropelm-torch"), HasSubstr("libtorch"));
}

TEST(FrontCli, OtherCommandsRunInRopelmTorch) {
  CliResult version = run_ropelm("--version");  // handed over: only ropelm-torch knows LibTorch's version
  EXPECT_EQ(version.exit_code, 0);
  // The version comes from LibTorch's own header; CUDA support from what ropelm-torch actually links.
  EXPECT_THAT(version.out, HasSubstr(std::string("(LibTorch ") + TORCH_VERSION + ", "));
  const bool links_cuda =
      loaded_libraries(fs::path(ROPELM_BIN).parent_path() / "ropelm-torch").find("libtorch_cuda") !=
      std::string::npos;
  EXPECT_THAT(version.out, HasSubstr(links_cuda ? ", CUDA " : ", CPU only)"));
}

// --help lists every command of cli/command_list.h, in its order, and no other.
TEST(FrontCli, HelpListsTheCommandListInItsOrder) {
  CliResult help = run_ropelm("--log-level warn --help");
  ASSERT_EQ(help.exit_code, 0);
  std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
  std::vector<std::string> listed;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first;
    if (line.starts_with("  ") && words >> first) listed.push_back(first);
  }
  std::vector<std::string> expected;
  for (const auto& command : cli::kCommandList) expected.emplace_back(command.name);
  EXPECT_EQ(listed, expected) << help.out;
}

// Without ropelm-torch beside it, `ropelm` still runs exactly the light commands of the list; each other
// command is one clear line.
TEST(FrontCli, TheLightCommandsOfTheListRunWithoutRopelmTorch) {
  fs::path alone = fresh_dir("ropelm_front_test", "alone");
  fs::create_directories(alone);
  fs::copy_file(ROPELM_BIN, alone / "ropelm");
  for (const auto& command : cli::kCommandList) {
    CliResult result = run_program(alone / "ropelm", std::string(command.name) + " --help");
    if (command.weight == cli::Weight::kLight) {
      EXPECT_EQ(result.exit_code, 0) << command.name << ": " << result.err;
    } else {
      expect_one_line_error(result, "ropelm-torch");
    }
  }
  EXPECT_EQ(run_program(alone / "ropelm", "config --config configs/tiny.toml").exit_code, 0);
}

}  // namespace
}  // namespace ropelm::test
