// The data-parallel gradient reducer: sums each parameter's gradient over ranks in flat buckets whose
// all-reduces overlap the rest of the backward pass (the design of PyTorch DDP's Reducer).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "distributed/process_group.h"

namespace ropelm {

struct BucketerOptions {
  int64_t bucket_bytes = 25 << 20;  // distributed.bucket_mb
  // DDP's kDefaultFirstBucketBytes: the first bucket (the model's last layers, whose gradients come first)
  // stays small so that communication starts early in the backward pass.
  int64_t first_bucket_bytes = 1 << 20;
};

// Design (after torch/csrc/distributed/c10d/reducer.cpp):
//  * Buckets: the parameters in reverse order (backward produces the last layers' gradients first), packed
//    greedily until a bucket reaches its size (first_bucket_bytes for the first, then bucket_bytes); one
//    dtype and device per bucket. Each bucket owns one flat buffer, allocated once and reused every step
//    (fresh pages are expensive: docs/libtorch-notes.md#fresh-pages), and each parameter a view into it.
//  * Hooks: a tensor hook on each parameter (register_hook, the same on 1.13 and 2.x) runs just before
//    autograd accumulates the incoming gradient into .grad. With sync on, it writes .grad + incoming (the
//    step's total gradient, whatever earlier micro-batches accumulated) into the parameter's view; when the
//    last parameter of a bucket is written, the bucket's all-reduce (SUM) is launched asynchronously.
//  * Order: collectives must be issued in the same order on every rank, so buckets are launched strictly in
//    index order, as DDP does (a bucket ready early waits for its predecessors).
//  * finish(): launches the buckets that backward did not complete (parameters without a gradient this
//    pass, or a rank whose last micro-batch was empty and ran no backward: those take their .grad, or zero),
//    waits for all, and copies each reduced view back into .grad. Gradients are summed, not averaged: the
//    trainer already divides each loss by the global token count of the step. Every rank receives the same
//    reduced buffers, so gradients are bitwise equal across ranks.
//  * Gradient accumulation: set_sync(false) for all micro-batches but the last (DDP's no_sync()); their
//    gradients just accumulate in .grad, and the last one's hooks communicate the total.
// With world size 1 nothing is registered and finish() does nothing.
class GradientBucketer {
 public:
  // `parameters` in the model's order, the same on every rank; those not requiring grad are skipped. `group`
  // must outlive the bucketer.
  GradientBucketer(const std::vector<torch::Tensor>& parameters, Distributed& group,
                   const BucketerOptions& options);
  ~GradientBucketer();
  GradientBucketer(const GradientBucketer&) = delete;
  GradientBucketer& operator=(const GradientBucketer&) = delete;

  // Whether the next backward pass communicates (default on). At most one backward with sync on per finish().
  void set_sync(bool sync) { sync_ = sync; }
  // After the step's last backward: every parameter's .grad becomes the sum over ranks. Throws PeerFailure.
  void finish();

  size_t num_buckets() const { return buckets_.size(); }
  // Buckets whose all-reduce has been launched since the last finish() (during backward, in index order).
  size_t buckets_in_flight() const { return next_bucket_; }

 private:
  struct Slot {
    torch::Tensor parameter;
    torch::Tensor view;  // into the bucket's flat buffer, shaped like the parameter
    size_t bucket = 0;
    bool written = false;  // this step, by the hook or by finish()
    unsigned hook = 0;
  };
  struct Bucket {
    torch::Tensor flat;
    std::vector<size_t> slots;
    size_t written = 0;
    PendingCollective reduce;
  };

  void assign_buckets(const std::vector<size_t>& order, const BucketerOptions& options);
  void on_gradient(size_t slot, const torch::Tensor& incoming);
  void write_slot(Slot& slot, const torch::Tensor& incoming);
  void launch_ready_buckets();

  Distributed& group_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  size_t next_bucket_ = 0;  // buckets before it are launched this step
  bool sync_ = true;
};

}  // namespace ropelm
