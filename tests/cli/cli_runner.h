// Runs the built ropelm binary in a shell and captures its exit code, stdout and stderr (end-to-end CLI
// tests).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace ropelm::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `args` is appended to the binary's path verbatim (shell syntax: quoting and redirections allowed); the
// program runs in `working_dir`.
inline CliResult run_program_in(const std::filesystem::path& working_dir, const std::filesystem::path& binary,
                                const std::string& args, const std::string& stdin_text = "") {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() / ("ropelm_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string tag = std::to_string(counter++);
  auto in = dir / ("in" + tag), out = dir / ("out" + tag), err = dir / ("err" + tag);
  std::ofstream(in) << stdin_text;
  std::string command = "cd '" + working_dir.string() + "' && '" + binary.string() + "' " + args + " <'" +
                        in.string() + "' >'" + out.string() + "' 2>'" + err.string() + "'";
  int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

// run_program_in from the repo root, so that configs/ and data/ paths resolve.
inline CliResult run_program(const std::filesystem::path& binary, const std::string& args,
                             const std::string& stdin_text = "") {
  return run_program_in(ROPELM_SOURCE_DIR, binary, args, stdin_text);
}

// The ropelm executable under test.
inline CliResult run_ropelm(const std::string& args, const std::string& stdin_text = "") {
  return run_program(ROPELM_BIN, args, stdin_text);
}

inline int count_lines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

}  // namespace ropelm::test

namespace ropelm::test {

// Starts ropelm in the background (from the repo root, output to the given files); returns its pid, so that a
// test can signal the process itself (the shell execs ropelm, so no shell stands between).
inline pid_t spawn_ropelm(const std::string& args, const std::filesystem::path& out,
                          const std::filesystem::path& err) {
  std::string command = std::string("cd '") + ROPELM_SOURCE_DIR + "' && exec '" + ROPELM_BIN + "' " + args +
                        " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits for a spawned process; its exit code, or -1 when a signal killed it.
inline int wait_exit_code(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace ropelm::test

namespace ropelm::test {

inline int64_t count_words(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  int64_t words = 0;
  while (in >> word) ++words;
  return words;
}

}  // namespace ropelm::test

namespace ropelm::test {

// A user error: exit code 2 and one line on stderr that contains `fragment` (no stack trace, nothing else).
inline void expect_one_line_error(const CliResult& result, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr(fragment));
  EXPECT_THAT(result.err, ::testing::Not(::testing::HasSubstr("terminate called")));
}

// An empty path under the temp dir, unique to this test process: <tmp>/<prefix>_<pid>/<name>.
inline std::filesystem::path fresh_dir(const std::string& prefix, const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  return dir;
}

// The tiny model the end-to-end tests train (16 steps per epoch of The Verdict), as a --config argument.
inline const std::string kTinyConfig = "--config tests/fixtures/cli/train_tiny.toml";

// A fresh dir <tmp>/<prefix>_<pid> holding `run`, the tiny test fixture trained for 2 steps (expected to
// succeed): the shared set-up of tests that export or import a checkpoint. Returns the dir.
inline std::filesystem::path root_with_a_two_step_run(const std::string& prefix) {
  std::filesystem::path root = fresh_dir(prefix, "run").parent_path();
  CliResult trained =
      run_ropelm("train " + kTinyConfig + " --set train.steps=2 --run-dir " + (root / "run").string());
  EXPECT_EQ(trained.exit_code, 0) << trained.err;
  return root;
}

// The two-step run's one checkpoint.
inline std::filesystem::path two_step_checkpoint(const std::filesystem::path& root) {
  return root / "run" / "checkpoints" / "step_00000002";
}

// `ropelm eval --json` of a checkpoint (expected to succeed), parsed.
inline nlohmann::json eval_json(const std::filesystem::path& checkpoint) {
  auto result = run_ropelm("eval --checkpoint " + checkpoint.string() + " --json");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return nlohmann::json::parse(result.out);
}

// A copy of a run dir at fresh_dir(prefix, name), to change without touching the original.
inline std::filesystem::path copy_of_run(const std::filesystem::path& run_dir, const std::string& prefix,
                                         const std::string& name) {
  std::filesystem::path copy = fresh_dir(prefix, name);
  std::filesystem::copy(run_dir, copy, std::filesystem::copy_options::recursive);
  return copy;
}

// step → loss of the training rows of run_dir/metrics.jsonl (a half-written last line is ignored).
inline std::map<int64_t, double> logged_losses(const std::filesystem::path& run_dir) {
  std::map<int64_t, double> by_step;
  std::istringstream lines(slurp(run_dir / "metrics.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (row.is_object() && row.contains("loss"))
      by_step[row["step"].get<int64_t>()] = row["loss"].get<double>();
  }
  return by_step;
}

}  // namespace ropelm::test
