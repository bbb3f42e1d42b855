// Rendezvous, backend selection and failure diagnosis for the data-parallel process group.
#include "distributed/process_group.h"

#include <csignal>
#include <thread>

// Debian's and PyTorch's Linux builds of LibTorch contain Gloo; its header hides the class behind the macro
// that PyTorch's own build defines.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL  // defined by the build when LibTorch has CUDA (see CMakeLists.txt)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "distributed/peer_liveness.h"
#include "util/error.h"
#include "util/libtorch_features.h"

namespace ropelm {
namespace {

// LibTorch 2.0 split the user-facing ProcessGroup from the per-device Backend that runs the collectives;
// in 1.13 ProcessGroupGloo/NCCL are ProcessGroups themselves. Both expose the same collective calls.
#if ROPELM_HAS_C10D_BACKEND
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

std::string process_key(int rank) {
  return "ropelm/process/" + std::to_string(rank);
}
std::string left_key(int rank) {
  return "ropelm/left/" + std::to_string(rank);
}

std::string resolve_backend(BackendKind requested, torch::Device device) {
#ifdef USE_C10D_NCCL
  const bool have_nccl = true;
#else
  const bool have_nccl = false;
#endif
  switch (requested) {
    case BackendKind::kAuto:
      return device.is_cuda() && have_nccl ? "nccl" : "gloo";
    case BackendKind::kGloo:
      return "gloo";
    case BackendKind::kNccl:
      break;
  }
  if (!have_nccl) {
    throw UserError("distributed.backend = \"nccl\": this LibTorch build has no NCCL (use gloo or auto)");
  }
  if (!device.is_cuda()) throw UserError("distributed.backend = \"nccl\" needs a CUDA device (train.device)");
  return "nccl";
}

// Gloo binds one interface for all pairs: GLOO_SOCKET_IFNAME as in PyTorch, loopback for a one-node
// launch, else the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  if (master_addr == "127.0.0.1" || master_addr == "localhost") {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<CollectiveBackend> make_backend([[maybe_unused]] const std::string& name,
                                                   const c10::intrusive_ptr<c10d::Store>& store,
                                                   const DistributedEnv& env,
                                                   std::chrono::milliseconds timeout) {
#ifdef USE_C10D_NCCL
  if (name == "nccl") {
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, options);
  }
#endif
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  options->devices.push_back(gloo_device(env.master_addr));
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
}

}  // namespace

struct Distributed::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<CollectiveBackend> backend;
  int rank = 0;
  int world_size = 1;
  bool agent_store = false;
  std::chrono::seconds timeout{0};
  ProcessIdentity rank0;  // read at rendezvous: whether rank 0 hangs or exited, when its store is silent

  // Which ranks are gone: those that announced leaving, plus same-host ones whose process has exited.
  // Polls briefly, since a dying peer closes its sockets a moment before its process ends.
  std::string describe_failed_peers() const;
  // Why rank 0's store does not answer: its process is gone, alive (so it hangs) or on another host.
  std::string describe_silent_rank0() const;
  [[noreturn]] void fail(const std::string& operation, const std::exception& error) const;
  void run(const std::string& operation, const std::function<c10::intrusive_ptr<c10d::Work>()>& launch) const;
};

std::string Distributed::Group::describe_silent_rank0() const {
  const std::string pid = " (pid " + std::to_string(rank0.pid) + ")";
  if (process_stopped(rank0))
    return "rank 0 hangs: its process" + pid + " is stopped (SIGSTOP or a debugger)";
  if (process_gone(rank0)) return "rank 0 exited (the rendezvous store it serves is unreachable)";
  if (process_state(rank0) != '?') return "rank 0 hangs: its process" + pid + " is alive but does not answer";
  return "rank 0 exited or hangs on " + rank0.host + " (the rendezvous store it serves does not answer)";
}

std::string Distributed::Group::describe_failed_peers() const {
  // A stopped rank 0 serves no store either: asking it would wait out the timeout a second time.
  if (rank != 0 && process_stopped(rank0)) return describe_silent_rank0();
  const auto deadline =
      std::chrono::steady_clock::now() + std::min<std::chrono::seconds>(timeout, std::chrono::seconds(1));
  while (true) {
    std::string gone;
    try {
      for (int peer = 0; peer < world_size; ++peer) {
        if (peer == rank) continue;
        bool left = store->check({left_key(peer)});
        if (!left && store->check({process_key(peer)})) {
          auto bytes = store->get(process_key(peer));
          left = process_gone(ProcessIdentity::decode(std::string(bytes.begin(), bytes.end())));
        }
        if (left) gone += (gone.empty() ? "rank " : ", rank ") + std::to_string(peer);
      }
    } catch (const std::exception&) {
      // Unless torchrun's agent serves it, the store lives in rank 0's process: unreachable, rank 0 is gone.
      if (agent_store) return "the rendezvous store of torchrun's agent is unreachable";
      if (rank != 0) return describe_silent_rank0();
    }
    if (!gone.empty()) return gone + " exited";
    if (std::chrono::steady_clock::now() >= deadline) {
      return "no peer is known to have exited: one may hang, or have died on another host";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Distributed::Group::fail(const std::string& operation, const std::exception& error) const {
  throw PeerFailure(
      "rank " + std::to_string(rank) + ": " + operation + " failed: " + describe_failed_peers() +
      " (distributed.timeout_s = " + std::to_string(timeout.count()) + "; " + error.what() + ")");
}

void Distributed::Group::run(const std::string& operation,
                             const std::function<c10::intrusive_ptr<c10d::Work>()>& launch) const {
  try {
    launch()->wait();
  } catch (const std::exception& error) {  // c10::Error, or Gloo's IoException on a closed connection
    fail(operation, error);
  }
}

Distributed::Distributed(const DistributedEnv& env, const DistributedConfig& config, torch::Device device)
    : env_(env), device_(device) {
  if (!env_.distributed()) return;
  backend_name_ = resolve_backend(config.backend, device);
  // A write to a peer's closed socket raises SIGPIPE, whose default action kills the process silently;
  // Python (and so torchrun'd PyTorch) ignores it, and we want the EPIPE error to report instead.
  std::signal(SIGPIPE, SIG_IGN);
  group_ = std::make_unique<Group>();
  group_->rank = env_.rank;
  group_->world_size = env_.world_size;
  group_->agent_store = env_.agent_store;
  group_->timeout = std::chrono::seconds(config.timeout_s);
  const std::string where = env_.master_addr + ":" + std::to_string(env_.master_port);
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env_.master_port);
    options.isServer = env_.rank == 0 && !env_.agent_store;
    options.numWorkers = env_.world_size;
    options.timeout = group_->timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, options);
    if (env_.agent_store) {
      group_->store = c10::make_intrusive<c10d::PrefixStore>(env_.store_prefix, group_->store);
    }
    std::string identity = this_process().encode();
    group_->store->set(process_key(env_.rank), std::vector<uint8_t>(identity.begin(), identity.end()));
    group_->backend = make_backend(backend_name_, group_->store, env_, group_->timeout);
    if (env_.rank != 0) {  // every rank published its identity before the backend's rendezvous completed
      auto bytes = group_->store->get(process_key(0));
      group_->rank0 = ProcessIdentity::decode(std::string(bytes.begin(), bytes.end()));
    }
  } catch (const std::exception& error) {
    throw PeerFailure("rank " + std::to_string(env_.rank) + ": rendezvous of " +
                      std::to_string(env_.world_size) + " ranks at " + where + " (" + env_.launcher +
                      ") failed within distributed.timeout_s = " + std::to_string(config.timeout_s) + ": " +
                      error.what());
  }
}

Distributed::~Distributed() {
  if (!group_) return;
  try {  // announce leaving, so a peer still waiting in a collective can name this rank
    group_->store->set(left_key(env_.rank), std::vector<uint8_t>{1});
  } catch (const std::exception&) {  // the store's server (rank 0) may be gone already
  }
}

void Distributed::barrier() {
  if (!group_) return;
  group_->run("barrier", [&] { return group_->backend->barrier(); });
}

void Distributed::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors) {
  if (!group_) return;
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& tensor : tensors) {
    std::vector<torch::Tensor> one{tensor.detach()};
    group_->run("broadcast", [&] { return group_->backend->broadcast(one); });
  }
}

PendingCollective Distributed::all_reduce_sum_async(const torch::Tensor& contiguous_tensor) {
  if (!group_) return {};
  std::vector<torch::Tensor> one{contiguous_tensor.detach()};
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = group_->backend->allreduce(one);
  } catch (const std::exception& error) {
    group_->fail("all_reduce", error);
  }
  const Group* group = group_.get();
  return PendingCollective([work, group] {
    try {
      work->wait();
    } catch (const std::exception& error) {
      group->fail("all_reduce", error);
    }
  });
}

void Distributed::all_reduce_sum(const torch::Tensor& tensor) {
  if (!group_) return;
  torch::Tensor contiguous = tensor.contiguous();
  all_reduce_sum_async(contiguous).wait();
  if (!contiguous.is_same(tensor)) tensor.detach().copy_(contiguous);
}

double Distributed::all_reduce_sum(double value) {
  if (!group_) return value;
  torch::Tensor buffer =
      torch::full({1}, value, torch::TensorOptions().dtype(torch::kDouble).device(device_));
  all_reduce_sum(buffer);
  return buffer.item<double>();
}

int64_t Distributed::all_reduce_sum(int64_t value) {
  if (!group_) return value;
  torch::Tensor buffer = torch::full({1}, value, torch::TensorOptions().dtype(torch::kLong).device(device_));
  all_reduce_sum(buffer);
  return buffer.item<int64_t>();
}

bool Distributed::any_rank_stopping(bool local_flag) {
  if (!group_) return local_flag;
  std::vector<torch::Tensor> flag{
      torch::full({1}, local_flag ? 1 : 0, torch::TensorOptions().dtype(torch::kInt).device(device_))};
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::MAX;
  group_->run("stop-flag all_reduce", [&] { return group_->backend->allreduce(flag, options); });
  return flag[0].item<int>() != 0;
}

void PendingCollective::wait() {
  if (!wait_) return;
  std::function<void()> wait = std::move(wait_);
  wait_ = nullptr;
  wait();
}

}  // namespace ropelm
