// The whole model against an independent PyTorch reference, in the style of llm.c's test_gpt2.c: ropelm
// writes a small model's initial weights and one batch, tests/train/reference/reference_model.py (plain torch
// ops, written from the papers) computes logits, loss, every gradient and the losses of 10 AdamW steps, and
// each is compared here. The test lives beside train/ because it drives train/'s step and AdamW.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "checkpoint/safetensors_reader.h"
#include "checkpoint/safetensors_writer.h"
#include "model/lm_loss.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "train/adamw.h"
#include "train/train_step.h"

namespace ropelm {
namespace {

constexpr int64_t kVocab = 50;  // padded to 64 rows: the padded rows must get no logit and no gradient
constexpr int64_t kBatch = 4;
constexpr int64_t kContext = 16;
constexpr int64_t kSteps = 10;
constexpr double kGradientTolerance = 1e-5;  // logits, loss, gradients
constexpr double kStepsTolerance = 1e-4;     // the 10 losses

struct ReferenceCase {
  const char* name;
  RopeStyle rope_style;
  MlpKind mlp;
  int64_t n_kv_heads;  // of 4 query heads
  bool tie_embeddings;
};

const ReferenceCase kCases[] = {
    {"rope_half_swiglu_tied", RopeStyle::kHalf, MlpKind::kSwiGLU, 4, true},
    {"rope_interleaved_swiglu_tied", RopeStyle::kInterleaved, MlpKind::kSwiGLU, 4, true},
    {"rope_half_gqa_swiglu_untied", RopeStyle::kHalf, MlpKind::kSwiGLU, 2, false},
    {"rope_interleaved_gqa_gelu_untied", RopeStyle::kInterleaved, MlpKind::kGELU, 2, false},
    {"rope_half_gelu_tied", RopeStyle::kHalf, MlpKind::kGELU, 4, true},
};

// gtest prints the parameter in the test's name: its name, not its bytes.
void PrintTo(const ReferenceCase& c, std::ostream* out) {
  *out << c.name;
}

TransformerOptions options_for(const ReferenceCase& c) {
  return TransformerOptions(kVocab, 32, 2, 4)
      .pad_vocab_multiple(16)
      .n_kv_heads(c.n_kv_heads)
      .mlp(c.mlp)
      .rope_style(c.rope_style)
      .tie_embeddings(c.tie_embeddings);
}

// A constant learning rate keeps the schedule out of the comparison (lr_schedule_test.cpp covers it). The
// weight decay is large so that a wrong decay group moves the 10 losses by more than the tolerance, and the
// clip is below the initial gradient norm so that clipping is exercised.
OptimConfig optim_config() {
  OptimConfig optim;
  optim.lr = 1e-2;
  optim.weight_decay = 0.5;
  optim.beta1 = 0.9;
  optim.beta2 = 0.95;
  optim.eps = 1e-8;
  optim.grad_clip = 0.5;
  return optim;
}

// What the reference needs beyond the weights' names and shapes.
std::string reference_config(const TransformerOptions& options, const OptimConfig& optim) {
  nlohmann::json config = {{"vocab_size", options.vocab_size()},
                           {"n_layers", options.n_layers()},
                           {"n_heads", options.n_heads()},
                           {"n_kv_heads", options.kv_heads()},
                           {"rope_style", options.rope_style() == RopeStyle::kHalf ? "half" : "interleaved"},
                           {"rope_theta", options.rope_theta()},
                           {"norm_eps", options.norm_eps()},
                           {"optim",
                            {{"lr", optim.lr},
                             {"beta1", optim.beta1},
                             {"beta2", optim.beta2},
                             {"eps", optim.eps},
                             {"weight_decay", optim.weight_decay},
                             {"grad_clip", optim.grad_clip},
                             {"steps", kSteps}}}};
  return config.dump();
}

// ROPELM_REFERENCE_PYTHON if set, else Debian's python3 (which has python3-torch), else python3 on PATH.
std::string reference_python() {
  if (const char* chosen = std::getenv("ROPELM_REFERENCE_PYTHON")) return chosen;
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// max |actual − expected| / max |expected|: the error relative to the tensor's scale, so that elements near
// zero (whose own relative error means nothing) do not decide.
double relative_error(const torch::Tensor& actual, const torch::Tensor& expected) {
  auto exact = expected.to(torch::kDouble);
  double scale = exact.abs().max().item<double>();
  return (actual.detach().to(torch::kDouble) - exact).abs().max().item<double>() / std::max(scale, 1e-30);
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  EXPECT_LE(relative_error(actual, expected), kGradientTolerance) << what;
}

class ModelVsPyTorch : public ::testing::TestWithParam<ReferenceCase> {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    torch::manual_seed(20);
    model_ = Transformer(options_for(GetParam()));
    auto tokens = torch::randint(kVocab, {kBatch, kContext + 1}, torch::kLong);
    batch_ = {tokens.narrow(1, 0, kContext).contiguous(), tokens.narrow(1, 1, kContext).contiguous()};
    write_inputs();
    run_reference();
    if (HasFatalFailure()) return;
    for (auto& [name, tensor] : load_safetensors(dir_ / "reference.safetensors")) reference_[name] = tensor;
  }

  void write_inputs() {
    NamedTensors weights;
    for (const auto& item : model_->named_parameters())
      weights.emplace_back(item.key(), item.value().detach());
    save_safetensors(dir_ / "weights.safetensors", weights);
    save_safetensors(dir_ / "batch.safetensors", {{"inputs", batch_.inputs}, {"targets", batch_.targets}},
                     {{"config", reference_config(model_->options(), optim_config())}});
  }

  // Fails, rather than skips, without python3 or torch: the comparison is the point of the test.
  void run_reference() {
    const std::string python = reference_python();
    ASSERT_EQ(std::system((python + " -c 'import torch'").c_str()), 0)
        << "the PyTorch reference needs " << python
        << " with torch: install python3-torch (scripts/setup.sh does) or set ROPELM_REFERENCE_PYTHON";
    const std::string command = python +
                                " '" ROPELM_SOURCE_DIR "/tests/train/reference/reference_model.py' '" +
                                dir_.path().string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << "the reference failed: " << command;
  }

  const torch::Tensor& reference(const std::string& name) const {
    auto found = reference_.find(name);
    if (found == reference_.end()) throw std::runtime_error("the reference wrote no tensor " + name);
    return found->second;
  }

  testing::TempDir dir_;
  Transformer model_{nullptr};
  Batch batch_;
  std::map<std::string, torch::Tensor> reference_;
};

TEST_P(ModelVsPyTorch, LogitsLossAndGradients) {
  auto logits = model_->forward(batch_.inputs);
  auto nll = token_nll(logits, batch_.targets);
  auto loss = nll.sum / nll.count;
  loss.backward();
  expect_close(logits, reference("logits"), "logits");
  expect_close(loss, reference("loss"), "loss");
  auto parameters = model_->named_parameters();
  size_t gradients = 0;
  for (const auto& [name, tensor] : reference_) gradients += name.starts_with("grad.");
  EXPECT_EQ(gradients, parameters.size()) << "one reference gradient per parameter";
  for (const auto& item : parameters)
    expect_close(item.value().grad(), reference("grad." + item.key()), item.key());
}

TEST_P(ModelVsPyTorch, TenAdamWSteps) {
  const OptimConfig optim = optim_config();
  AdamW optimizer(group_parameters(model_->named_parameters(), optim), optim);
  StepBatches step;
  step.micro_batches = {batch_};
  step.global_windows = kBatch;
  const StepSettings settings{
      .lr = optim.lr, .grad_clip = optim.grad_clip, .global_tokens = kBatch * kContext};
  const torch::Tensor& expected = reference("losses");
  ASSERT_EQ(expected.numel(), kSteps);
  for (int64_t i = 0; i < kSteps; ++i) {
    StepResult result = train_step(model_, optimizer, step, torch::kCPU, settings);
    ASSERT_TRUE(result.applied) << "step " << i + 1;
    if (i == 0) EXPECT_GT(result.grad_norm.item<double>(), optim.grad_clip) << "the first step should clip";
    const double ours = result.loss.item<double>(), theirs = expected[i].item<double>();
    EXPECT_LE(std::abs(ours - theirs) / std::abs(theirs), kStepsTolerance)
        << "loss mismatch at step " << i + 1 << ": ropelm " << ours << ", PyTorch reference " << theirs;
  }
}

INSTANTIATE_TEST_SUITE_P(, ModelVsPyTorch, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ReferenceCase>& info) { return info.param.name; });

}  // namespace
}  // namespace ropelm
