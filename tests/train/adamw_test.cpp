// Our AdamW against LibTorch's torch::optim::AdamW (the reference implementation), and its named state.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "train/adamw.h"
#include "util/error.h"

namespace ropelm {
namespace {

torch::OrderedDict<std::string, torch::Tensor> make_parameters() {
  torch::manual_seed(0);
  torch::OrderedDict<std::string, torch::Tensor> params;
  params.insert("blocks.0.weight", torch::randn({4, 3}).requires_grad_());
  params.insert("blocks.0.norm.weight", torch::randn({4}).requires_grad_());
  params.insert("tok_embedding.weight", torch::randn({5, 3}).requires_grad_());
  return params;
}

void fake_gradients(const std::vector<torch::Tensor>& tensors, int step) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    tensors[i].mutable_grad() =
        torch::sin(torch::arange(tensors[i].numel()).reshape(tensors[i].sizes()) * (step + 1.0) +
                   static_cast<double>(i));
  }
}

TEST(AdamW, GroupsDecayWeightMatricesOnly) {
  OptimConfig optim;
  auto grouped = group_parameters(make_parameters(), optim);
  EXPECT_TRUE(grouped[0].decay);
  EXPECT_FALSE(grouped[1].decay);  // a norm gain (rank 1)
  EXPECT_FALSE(grouped[2].decay);  // an embedding
  optim.decay_embeddings = true;
  EXPECT_TRUE(group_parameters(make_parameters(), optim)[2].decay);
}

TEST(AdamW, MatchesTorchAdamWWithTwoParamGroups) {
  OptimConfig optim;
  optim.weight_decay = 0.1;
  auto ours_params = make_parameters();
  auto reference_params = make_parameters();
  AdamW ours(group_parameters(ours_params, optim), optim);

  std::vector<torch::Tensor> decay = {reference_params[0].value()};
  std::vector<torch::Tensor> no_decay = {reference_params[1].value(), reference_params[2].value()};
  auto options = torch::optim::AdamWOptions(1e-2).betas({optim.beta1, optim.beta2}).eps(optim.eps);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(0.1)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(0.0)));
  torch::optim::AdamW reference(groups, options);

  for (int step = 0; step < 5; ++step) {
    fake_gradients(ours_params.values(), step);
    fake_gradients(reference_params.values(), step);
    ours.step(1e-2);
    reference.step();
  }
  for (size_t i = 0; i < ours_params.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ours_params[i].value(), reference_params[i].value(), 1e-6, 1e-7))
        << ours_params.keys()[i];
  }
}

TEST(AdamW, StateRoundTripContinuesIdentically) {
  OptimConfig optim;
  auto a_params = make_parameters();
  AdamW a(group_parameters(a_params, optim), optim);
  fake_gradients(a_params.values(), 0);
  a.step(1e-2);

  auto b_params = make_parameters();
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < b_params.size(); ++i) b_params[i].value().copy_(a_params[i].value());
  }
  AdamW b(group_parameters(b_params, optim), optim);
  b.load_state(a.state(), a.steps_taken());
  for (int step = 1; step < 4; ++step) {
    fake_gradients(a_params.values(), step);
    fake_gradients(b_params.values(), step);
    a.step(1e-2);
    b.step(1e-2);
  }
  for (size_t i = 0; i < a_params.size(); ++i)
    EXPECT_TRUE(torch::equal(a_params[i].value(), b_params[i].value()));
}

TEST(AdamW, LoadingStateOfAnotherShapeIsAUserError) {
  OptimConfig optim;
  auto params = make_parameters();
  AdamW adamw(group_parameters(params, optim), optim);
  auto state = adamw.state();
  state[0].second = torch::zeros({7});
  EXPECT_THROW(adamw.load_state(state, 1), UserError);
  state.pop_back();
  EXPECT_THROW(adamw.load_state(state, 1), UserError);
  EXPECT_THROW(adamw.load_state({}, 1), UserError);  // moments of a run that stepped are never made up
}

TEST(AdamW, AnEmptyStateBeforeTheFirstStepIsAFreshOptimizer) {
  OptimConfig optim;
  auto params = make_parameters();
  AdamW adamw(group_parameters(params, optim), optim);
  adamw.load_state({}, 0);
  EXPECT_EQ(adamw.steps_taken(), 0);
  for (const auto& [name, tensor] : adamw.state())
    EXPECT_EQ(tensor.count_nonzero().item<int64_t>(), 0) << name;
}

}  // namespace
}  // namespace ropelm
