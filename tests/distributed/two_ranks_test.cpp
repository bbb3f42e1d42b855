// Two Gloo ranks on loopback: collectives, parameter broadcast, the bucketed gradient all-reduce against
// gradients summed in one process, and peers that die or hang.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "distributed/gradient_bucketer.h"
#include "distributed/process_group.h"
#include "rank_workers.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using testing::run_ranks;
using testing::seconds_since;

Distributed connect(int64_t timeout_s) {
  torch::set_num_threads(1);  // bitwise comparisons across processes (docs/libtorch-notes.md#thread-count)
  DistributedConfig config;
  config.timeout_s = timeout_s;
  return Distributed(distributed_env_from_environment(), config, torch::kCPU);
}

TEST(Worker, Collectives) {
  ROPELM_WORKER_ONLY();
  Distributed group = connect(10);
  ASSERT_EQ(group.world_size(), 2);
  const int rank = group.rank();
  EXPECT_EQ(group.local_rank(), rank);
  EXPECT_EQ(group.backend_name(), "gloo");
  EXPECT_EQ(group.all_reduce_sum(1.5 * (rank + 1)), 4.5);
  EXPECT_EQ(group.all_reduce_sum(int64_t{10 + rank}), 21);
  torch::Tensor base = torch::arange(6, torch::kFloat).reshape({2, 3});
  torch::Tensor dense = base * (rank + 1);
  group.all_reduce_sum(dense);
  EXPECT_TRUE(torch::equal(dense, base * 3));
  torch::Tensor transposed = base.t() * (rank + 1);  // not contiguous
  group.all_reduce_sum(transposed);
  EXPECT_TRUE(torch::equal(transposed, base.t() * 3));
  EXPECT_TRUE(group.any_rank_stopping(rank == 1));
  EXPECT_TRUE(group.any_rank_stopping(rank == 0));
  EXPECT_FALSE(group.any_rank_stopping(false));
  group.barrier();
}

torch::nn::Sequential make_model(int seed) {
  torch::manual_seed(seed);
  return torch::nn::Sequential(torch::nn::Linear(6, 32), torch::nn::Tanh(), torch::nn::Linear(32, 32),
                               torch::nn::Tanh(), torch::nn::Linear(32, 3));
}

// Rank r's micro-batch m at step s; rank 1's last micro-batch of step 1 is empty (a ragged last step).
std::optional<torch::Tensor> micro_batch(int step, int rank, int m) {
  if (step == 1 && rank == 1 && m == 1) return std::nullopt;
  torch::manual_seed(1000 + 100 * step + 10 * rank + m);
  return torch::randn({5, 6});
}

void backward(torch::nn::Sequential& model, const torch::Tensor& inputs) {
  model->forward(inputs).pow(2).sum().backward();
}

// One parameter the model never uses (its gradient stays undefined: the reduced one is zero), then the
// model's. Listed first, it lands in the last bucket, which only finish() can launch.
std::vector<torch::Tensor> parameters_of(torch::nn::Sequential& model, const torch::Tensor& unused) {
  std::vector<torch::Tensor> parameters = model->parameters();
  parameters.insert(parameters.begin(), unused);
  return parameters;
}

void zero_gradients(const std::vector<torch::Tensor>& parameters) {
  for (const auto& p : parameters) {
    if (p.grad().defined()) p.mutable_grad().zero_();
  }
}

// The reference: both ranks' gradients computed here, one after the other, and summed; no communication.
std::vector<torch::Tensor> summed_gradients(int step) {
  std::vector<torch::Tensor> sum{torch::zeros({4})};
  for (int rank = 0; rank < 2; ++rank) {
    torch::nn::Sequential model = make_model(100);
    for (int m = 0; m < 2; ++m) {
      if (auto inputs = micro_batch(step, rank, m)) backward(model, *inputs);
    }
    std::vector<torch::Tensor> parameters = model->parameters();
    for (size_t i = 0; i < parameters.size(); ++i) {
      if (rank == 0)
        sum.push_back(parameters[i].grad().clone());
      else
        sum[i + 1] = sum[i + 1] + parameters[i].grad();
    }
  }
  return sum;
}

TEST(Worker, BucketedGradients) {
  ROPELM_WORKER_ONLY();
  Distributed group = connect(10);
  const int rank = group.rank();
  torch::nn::Sequential model = make_model(100 + rank);  // different until the broadcast
  torch::Tensor unused = torch::zeros({4}, torch::requires_grad());
  std::vector<torch::Tensor> parameters = parameters_of(model, unused);
  group.broadcast_from_rank0(parameters);
  std::vector<torch::Tensor> rank0 = make_model(100)->parameters();
  for (size_t i = 0; i < rank0.size(); ++i) EXPECT_TRUE(torch::equal(parameters[i + 1], rank0[i])) << i;

  // Reversed: {bias 3, weight 3×32, bias 32} reach 512 bytes, weight 32×32 fills a bucket alone, the rest.
  GradientBucketer bucketer(parameters, group, BucketerOptions{2048, 512});
  EXPECT_EQ(bucketer.num_buckets(), 3u);
  for (int step = 0; step < 3; ++step) {
    zero_gradients(parameters);
    bucketer.set_sync(false);
    backward(model, *micro_batch(step, rank, 0));
    bucketer.set_sync(true);
    EXPECT_EQ(bucketer.buckets_in_flight(), 0u);  // no sync, no communication
    auto inputs = micro_batch(step, rank, 1);
    if (inputs) backward(model, *inputs);
    // Overlap: the buckets of used parameters were launched during backward; the last one holds the unused
    // parameter and waits for finish().
    EXPECT_EQ(bucketer.buckets_in_flight(), inputs ? 2u : 0u);
    bucketer.finish();
    std::vector<torch::Tensor> expected = summed_gradients(step);
    for (size_t i = 0; i < parameters.size(); ++i) {
      EXPECT_TRUE(torch::equal(parameters[i].grad(), expected[i])) << "step " << step << ", parameter " << i;
      torch::Tensor from_rank0 = parameters[i].grad().clone();
      group.broadcast_from_rank0({from_rank0});
      EXPECT_TRUE(torch::equal(parameters[i].grad(), from_rank0)) << "ranks differ: parameter " << i;
    }
  }
}

TEST(Worker, PeerExitsEarly) {
  ROPELM_WORKER_ONLY();
  Distributed group = connect(3);
  group.barrier();
  if (group.rank() == 1) ::_exit(0);  // as a crash would: no destructors, no goodbye in the store
  auto start = std::chrono::steady_clock::now();
  try {
    group.all_reduce_sum(1.0);
    FAIL() << "an all-reduce with a dead peer returned";
  } catch (const PeerFailure& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("rank 0: all_reduce failed: rank 1 exited"));
  }
  EXPECT_LT(seconds_since(start), 3.0);
}

TEST(Worker, PeerHangs) {
  ROPELM_WORKER_ONLY();
  Distributed group = connect(2);
  group.barrier();
  const int rank = group.rank();
  if (rank == 1) std::this_thread::sleep_for(std::chrono::seconds(5));
  auto start = std::chrono::steady_clock::now();
  try {
    group.all_reduce_sum(1.0);
    FAIL() << "an all-reduce with a hung peer returned";
  } catch (const PeerFailure& failure) {
    EXPECT_THAT(failure.what(), HasSubstr(rank == 0 ? "no peer is known to have exited" : "rank 0 exited"));
  }
  EXPECT_LT(seconds_since(start), rank == 0 ? 2 + 1 + 1.0 : 1.5);  // timeout, liveness polling, slack
}

TEST(TwoRanks, Collectives) {
  EXPECT_EQ(run_ranks("Worker.Collectives"), 0);
}

TEST(TwoRanks, BucketedGradientsEqualTheSumOfLocalGradients) {
  EXPECT_EQ(run_ranks("Worker.BucketedGradients"), 0);
}

TEST(TwoRanks, DeadPeerIsNamedWithinTheTimeout) {
  EXPECT_EQ(run_ranks("Worker.PeerExitsEarly"), 0);
}

TEST(TwoRanks, HungPeerFailsTheOtherAfterTheTimeout) {
  EXPECT_EQ(run_ranks("Worker.PeerHangs"), 0);
}

}  // namespace
}  // namespace ropelm
