// Bucketed, backward-overlapped gradient all-reduce.
#include "distributed/gradient_bucketer.h"

#include <stdexcept>

namespace ropelm {

GradientBucketer::GradientBucketer(const std::vector<torch::Tensor>& parameters, Distributed& group,
                                   const BucketerOptions& options)
    : group_(group) {
  if (!group_.distributed()) return;
  for (const torch::Tensor& parameter : parameters) {
    if (!parameter.requires_grad()) continue;
    slots_.emplace_back();
    slots_.back().parameter = parameter;
  }
  std::vector<size_t> reverse_order;
  for (size_t i = slots_.size(); i-- > 0;) reverse_order.push_back(i);
  assign_buckets(reverse_order, options);
  // Hooks last: they capture this and index slots_, which no longer grows.
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].hook =
        slots_[i].parameter.register_hook([this, i](const torch::Tensor& grad) { on_gradient(i, grad); });
  }
}

GradientBucketer::~GradientBucketer() {
  for (Slot& slot : slots_) slot.parameter.remove_hook(slot.hook);
}

void GradientBucketer::assign_buckets(const std::vector<size_t>& order, const BucketerOptions& options) {
  std::vector<size_t> members;
  int64_t bytes = 0;
  auto close_bucket = [&] {
    const torch::Tensor& first = slots_[members.front()].parameter;
    int64_t numel = 0;
    for (size_t i : members) numel += slots_[i].parameter.numel();
    Bucket bucket;
    bucket.flat = torch::zeros({numel}, first.options().requires_grad(false));
    bucket.slots = members;
    int64_t offset = 0;
    for (size_t i : members) {
      Slot& slot = slots_[i];
      slot.bucket = buckets_.size();
      slot.view = bucket.flat.narrow(0, offset, slot.parameter.numel()).view(slot.parameter.sizes());
      offset += slot.parameter.numel();
    }
    buckets_.push_back(std::move(bucket));
    members.clear();
    bytes = 0;
  };
  for (size_t i : order) {
    const torch::Tensor& parameter = slots_[i].parameter;
    if (!members.empty() && !slots_[members.front()].parameter.options().type_equal(parameter.options())) {
      close_bucket();
    }
    members.push_back(i);
    bytes += parameter.numel() * static_cast<int64_t>(parameter.element_size());
    // DDP's rule: a bucket closes once it reaches its cap, so a single large tensor gets a bucket of its own.
    if (bytes >= (buckets_.empty() ? options.first_bucket_bytes : options.bucket_bytes)) close_bucket();
  }
  if (!members.empty()) close_bucket();
}

void GradientBucketer::write_slot(Slot& slot, const torch::Tensor& incoming) {
  const torch::Tensor& accumulated = slot.parameter.grad();
  if (accumulated.defined() && incoming.defined()) {
    torch::add_out(slot.view, accumulated, incoming);
  } else if (accumulated.defined() || incoming.defined()) {
    slot.view.copy_(accumulated.defined() ? accumulated : incoming);
  } else {
    slot.view.zero_();
  }
  slot.written = true;
  buckets_[slot.bucket].written += 1;
}

void GradientBucketer::on_gradient(size_t index, const torch::Tensor& incoming) {
  if (!sync_) return;
  Slot& slot = slots_[index];
  if (slot.written) {
    throw std::logic_error("GradientBucketer: a second backward pass with sync on before finish()");
  }
  torch::NoGradGuard no_grad;
  write_slot(slot, incoming);
  launch_ready_buckets();
}

void GradientBucketer::launch_ready_buckets() {
  while (next_bucket_ < buckets_.size() &&
         buckets_[next_bucket_].written == buckets_[next_bucket_].slots.size()) {
    Bucket& bucket = buckets_[next_bucket_++];
    bucket.reduce = group_.all_reduce_sum_async(bucket.flat);
  }
}

void GradientBucketer::finish() {
  if (!group_.distributed()) return;
  torch::NoGradGuard no_grad;
  for (size_t b = next_bucket_; b < buckets_.size(); ++b) {
    for (size_t i : buckets_[b].slots) {
      if (!slots_[i].written) write_slot(slots_[i], torch::Tensor());
    }
  }
  launch_ready_buckets();
  for (Bucket& bucket : buckets_) {
    bucket.reduce.wait();
    for (size_t i : bucket.slots) {
      Slot& slot = slots_[i];
      if (slot.parameter.grad().defined()) {
        slot.parameter.mutable_grad().copy_(slot.view);
      } else {
        slot.parameter.mutable_grad() = slot.view.clone();
      }
      slot.written = false;
    }
    bucket.written = 0;
  }
  next_bucket_ = 0;
}

}  // namespace ropelm
