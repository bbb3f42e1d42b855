// Runs the built ropelm binary in a shell and captures its exit code, stdout and stderr (end-to-end CLI
// tests).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

// `args` is appended to the binary's path verbatim (shell syntax: quoting and redirections allowed).
// Runs from the repo root so that configs/ and data/ paths resolve.
inline CliResult run_ropelm(const std::string& args, const std::string& stdin_text = "") {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() / ("ropelm_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string tag = std::to_string(counter++);
  auto in = dir / ("in" + tag), out = dir / ("out" + tag), err = dir / ("err" + tag);
  std::ofstream(in) << stdin_text;
  std::string command = std::string("cd '") + ROPELM_SOURCE_DIR + "' && '" + ROPELM_BIN + "' " + args +
                        " <'" + in.string() + "' >'" + out.string() + "' 2>'" + err.string() + "'";
  int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

inline int count_lines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

}  // namespace ropelm::test
