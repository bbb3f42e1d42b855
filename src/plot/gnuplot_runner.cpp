// gnuplot as a child process, in a scratch directory that is removed afterwards.
#include "plot/gnuplot_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "util/atomic_file.h"
#include "util/error.h"

extern char** environ;

namespace ropelm {
namespace fs = std::filesystem;
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "ropelm-plot-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw UserError("cannot create a temporary directory under " + fs::temp_directory_path().string() +
                      ": " + std::strerror(errno) + " (set TMPDIR to a writable directory)");
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// gnuplot's exit status; its stdout and stderr go to `log`.
int spawn_gnuplot(const fs::path& dir, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string script = (dir / "plot.gp").string();
  char* argv[] = {const_cast<char*>("gnuplot"), script.data(), nullptr};
  pid_t pid = 0;
  int error = ::posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error == ENOENT) {
    throw UserError(
        "gnuplot is not installed: `ropelm plot` draws with it (sudo apt-get install gnuplot-nox)");
  }
  if (error != 0) throw UserError(std::string("cannot run gnuplot: ") + std::strerror(error));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string first_error_line(const fs::path& log) {
  std::istringstream in(fs::exists(log) ? read_file(log) : "");
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" ^") == std::string::npos) continue;  // gnuplot's caret line
    last = line;
    if (line.find("rror") != std::string::npos) return line;
  }
  return last;
}

}  // namespace

void run_gnuplot(const std::vector<RunMetrics>& runs, const PlotStyle& style, const fs::path& output) {
  run_gnuplot([&](const fs::path& drawn) { return gnuplot_input(runs, style, drawn); }, output);
}

void run_gnuplot(const std::function<GnuplotInput(const fs::path& drawn)>& input_for,
                 const fs::path& output) {
  ScratchDir scratch;
  fs::path drawn = scratch.path() / ("plot" + output.extension().string());
  GnuplotInput input = input_for(drawn);
  for (const auto& file : input.data) write_file_atomic(scratch.path() / file.name, file.contents);
  // The data files are named relative to the scratch directory, where gnuplot runs.
  write_file_atomic(scratch.path() / "plot.gp",
                    "cd " + gnuplot_quoted(scratch.path().string()) + "\n" + input.script);
  fs::path log = scratch.path() / "gnuplot.log";
  int status = spawn_gnuplot(scratch.path(), log);
  if (status != 0 || !fs::exists(drawn)) {
    throw UserError("gnuplot failed (exit " + std::to_string(status) + "): " + first_error_line(log));
  }
  write_file_atomic(output, read_file(drawn));
}

}  // namespace ropelm
