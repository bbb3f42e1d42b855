// The two executables: `ropelm` runs config/tokenize/vocab/data without LibTorch and hands every other
// command line to `ropelm-torch` by exec.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/version.h>

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
  CliResult help = run_ropelm("--log-level warn --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"config", "data", "tokenize", "vocab", "train", "eval", "generate", "info"})
    EXPECT_THAT(help.out, HasSubstr(command));
}

TEST(FrontCli, MissingRopelmTorchIsOneClearLine) {
  fs::path alone = fresh_dir("ropelm_front_test", "alone");
  fs::create_directories(alone);
  fs::copy_file(ROPELM_BIN, alone / "ropelm");
  expect_one_line_error(run_program(alone / "ropelm", "train --config configs/tiny.toml"), "ropelm-torch");
  EXPECT_EQ(run_program(alone / "ropelm", "config --config configs/tiny.toml").exit_code, 0)
      << "the light commands need no ropelm-torch";
}

}  // namespace
}  // namespace ropelm::test
