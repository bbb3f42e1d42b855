// Config strings survive to_toml → parse (the run dir's and checkpoints' config.toml): a prompt that starts
// with a newline used to come back empty (a TOML multi-line literal drops its first newline), and the
// reference table must stay one row per key.
#include <gtest/gtest.h>

#include <sstream>

#include "config/keys.h"
#include "config/load.h"

namespace ropelm {
namespace {

TEST(ConfigStrings, EveryStringRoundTripsThroughToToml) {
  for (std::string prompt :
       {"\n", "\n\nROMEO:", "ROMEO:\n", "a'b\"c\\d", "tab\there", "crlf\r\n", "''' x", "Grüße 🙂", ""}) {
    Config config;
    config.train.sample_prompt = prompt;
    Config back = parse_config_text(to_toml(config), "round trip");
    EXPECT_EQ(back.train.sample_prompt, prompt);
  }
}

TEST(ConfigStrings, TheReferenceTableHasOneLinePerKey) {
  std::istringstream lines(config_reference_markdown());
  size_t rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    EXPECT_TRUE(line.front() == '|' && line.back() == '|') << line;
  }
  EXPECT_EQ(rows, config_keys().size() + 2);  // the header and the separator line
  EXPECT_NE(config_reference_markdown().find("| `train.sample_prompt` | string | `\"\\n\"` |"),
            std::string::npos);
}

}  // namespace
}  // namespace ropelm
