// Spawning, watching and stopping the local ranks of `ropelm train --nproc N`.
#include "distributed/local_launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

#include "distributed/distributed_env.h"

extern char** environ;

namespace ropelm {
namespace {

volatile std::sig_atomic_t pending_signal = 0;

void remember_signal(int signal) {
  pending_signal = signal;
}

std::vector<std::string> child_environment(int rank, int nproc, int port) {
  const std::vector<std::string> ours = {"RANK",        "WORLD_SIZE",  "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                                         "MASTER_ADDR", "MASTER_PORT", kNprocMarker};
  std::vector<std::string> env;
  bool has_omp_threads = false;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    std::string name = text.substr(0, text.find('='));
    has_omp_threads |= name == "OMP_NUM_THREADS";
    if (std::find(ours.begin(), ours.end(), name) == ours.end()) env.push_back(text);
  }
  for (const char* name : {"RANK", "LOCAL_RANK"})
    env.push_back(std::string(name) + "=" + std::to_string(rank));
  for (const char* name : {"WORLD_SIZE", "LOCAL_WORLD_SIZE"}) {
    env.push_back(std::string(name) + "=" + std::to_string(nproc));
  }
  env.push_back("MASTER_ADDR=127.0.0.1");
  env.push_back("MASTER_PORT=" + std::to_string(port));
  env.push_back(std::string(kNprocMarker) + "=" + std::to_string(nproc));
  // Share the cores instead of oversubscribing them (torchrun sets 1; an even share suits CPU training).
  if (!has_omp_threads) {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    env.push_back("OMP_NUM_THREADS=" + std::to_string(std::max(1u, cores / nproc)));
  }
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Everything is prepared before fork(): between fork and exec only async-signal-safe calls are allowed.
pid_t spawn_rank(std::vector<std::string> argv, std::vector<std::string> env) {
  std::vector<char*> c_argv = c_strings(argv), c_env = c_strings(env);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve("/proc/self/exe", c_argv.data(), c_env.data());
    constexpr char kMessage[] = "ropelm --nproc: cannot execute /proc/self/exe\n";
    ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    (void)ignored;
    ::_exit(127);
  }
  return pid;
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

struct SignalForwarding {
  struct sigaction old_int {
  }, old_term{};
  SignalForwarding() {
    pending_signal = 0;
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);
  }
  ~SignalForwarding() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
  }
};

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(std::string("cannot pick a free port for --nproc: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::vector<std::string> without_nproc(const std::vector<std::string>& argv) {
  std::vector<std::string> result;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0 && argv[i] == "--nproc") {
      ++i;  // and its value
    } else if (i == 0 || argv[i].rfind("--nproc=", 0) != 0) {
      result.push_back(argv[i]);
    }
  }
  return result;
}

int launch_local_ranks(int nproc, const std::vector<std::string>& argv, std::chrono::seconds grace) {
  SignalForwarding forwarding;
  const int port = free_loopback_port();
  const std::vector<std::string> child_argv = without_nproc(argv);
  std::vector<std::optional<pid_t>> running;
  for (int rank = 0; rank < nproc; ++rank) {
    running.push_back(spawn_rank(child_argv, child_environment(rank, nproc, port)));
  }
  spdlog::info("--nproc {}: started {} ranks (rendezvous 127.0.0.1:{})", nproc, nproc, port);
  int result = 0;
  using Clock = std::chrono::steady_clock;
  Clock::time_point kill_at = Clock::time_point::max();  // set when a rank fails
  for (size_t alive = running.size(); alive > 0;) {
    if (int signal = pending_signal) {
      pending_signal = 0;
      for (const auto& pid : running) {
        if (pid) ::kill(*pid, signal);
      }
    }
    for (int rank = 0; rank < nproc; ++rank) {
      int status = 0;
      if (!running[rank] || ::waitpid(*running[rank], &status, WNOHANG) != *running[rank]) continue;
      running[rank].reset();
      alive -= 1;
      const int code = exit_code(status);
      if (code == 0 || result != 0) continue;
      result = code;
      kill_at = Clock::now() + grace;
      spdlog::error("rank {} exited with code {}; ranks still running in {} s get killed", rank, code,
                    grace.count());
    }
    if (Clock::now() >= kill_at) {
      for (const auto& pid : running) {
        if (pid) ::kill(*pid, SIGKILL);
      }
      kill_at = Clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

}  // namespace ropelm
