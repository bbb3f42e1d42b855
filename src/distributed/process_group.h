// The data-parallel process group: TCPStore rendezvous plus a c10d backend (Gloo on CPU, NCCL on CUDA), with
// the few collectives the trainer needs. With world size 1 it holds nothing and every collective is a no-op.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "distributed/distributed_env.h"
#include "distributed/peer_failure.h"

namespace ropelm {

// A collective launched asynchronously (the bucketer's gradient all-reduces). Default: nothing to wait for.
class PendingCollective {
 public:
  PendingCollective() = default;
  explicit PendingCollective(std::function<void()> wait) : wait_(std::move(wait)) {}
  // Blocks until the collective is done (on CUDA: until the current stream is ordered after it); throws
  // PeerFailure when a peer failed. Once only; the Distributed that launched it must still exist.
  void wait();

 private:
  std::function<void()> wait_;
};

// Every collective throws PeerFailure (naming the failed rank where it can be known: see
// process_group.cpp) when a peer dies, or when it does not join within distributed.timeout_s. As with any
// c10d group, all ranks must call the same collectives in the same order.
class Distributed {
 public:
  // Rendezvous: rank 0 serves a TCPStore at MASTER_ADDR:MASTER_PORT, the others connect; then the backend
  // connects every pair of ranks. distributed.backend: auto (nccl for a CUDA device, else gloo) | gloo |
  // nccl (UserError on a build without NCCL or a CPU device). `device` holds the scalar buffers of the
  // collectives: cuda:<local_rank> for NCCL. Throws PeerFailure when a peer does not arrive within
  // distributed.timeout_s.
  Distributed(const DistributedEnv& env, const DistributedConfig& config, torch::Device device);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  int local_rank() const { return env_.local_rank; }
  bool distributed() const { return env_.distributed(); }
  const std::string& backend_name() const { return backend_name_; }  // gloo | nccl | none

  void barrier();
  // Overwrites each tensor with rank 0's values (parameters at start-up, so every replica starts equal).
  void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors);
  // In place: the element-wise sum over ranks (eval NLL sums, token counts).
  void all_reduce_sum(const torch::Tensor& tensor);
  double all_reduce_sum(double value);
  int64_t all_reduce_sum(int64_t value);
  PendingCollective all_reduce_sum_async(const torch::Tensor& contiguous_tensor);
  // True on every rank when any rank passes true: called once per step with stop_requested(), so a SIGTERM
  // to one rank stops all ranks at the same step boundary.
  bool any_rank_stopping(bool local_flag);

 private:
  struct Group;  // the store and the c10d backend; keeps c10d's headers out of this one

  DistributedEnv env_;
  torch::Device device_;
  std::string backend_name_ = "none";
  std::unique_ptr<Group> group_;
};

}  // namespace ropelm
