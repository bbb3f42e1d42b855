// `ropelm config` and config errors end to end: exit code 2, one line on stderr, no stack trace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigCli, PrintsResolvedConfigWithOverride) {
  CliResult result = run_ropelm("config --config configs/tiny.toml --set optim.lr=1e-3");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("[optim]\nlr = 0.001\n"));
  EXPECT_THAT(result.out, HasSubstr("[model]\n"));
}

TEST(ConfigCli, UnknownKeyInSetSuggests) {
  expect_one_line_error(run_ropelm("config --config configs/tiny.toml --set optim.lrr=1"),
                        "did you mean optim.lr?");
}

TEST(ConfigCli, UnknownKeyInFileNamesFileAndLine) {
  CliResult result = run_ropelm("config --config tests/fixtures/cli/unknown_key.toml");
  expect_one_line_error(result, "tests/fixtures/cli/unknown_key.toml:3: unknown key 'train.step'");
  EXPECT_THAT(result.err, HasSubstr("did you mean train.steps?"));
}

TEST(ConfigCli, WrongTypeOutOfRangeMissingFileAndMalformedToml) {
  expect_one_line_error(run_ropelm("config --set model.d_model=wide"), "model.d_model must be an integer");
  expect_one_line_error(run_ropelm("config --set data.stride=0"), "data.stride = 0 is out of range");
  expect_one_line_error(run_ropelm("config --config no/such.toml"), "no/such.toml does not exist");
  expect_one_line_error(run_ropelm("config --config tests/fixtures/cli/malformed.toml"),
                        "tests/fixtures/cli/malformed.toml:2");
}

TEST(ConfigCli, VersionNamesLibTorch) {
  CliResult result = run_ropelm("--version");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("LibTorch"));
}

}  // namespace
}  // namespace ropelm::test
