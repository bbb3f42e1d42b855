// Config loading: precedence, types, ranges, unknown keys with suggestions, file:line in messages, round
// trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/keys.h"
#include "config/load.h"
#include "util/error.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

fs::path write_toml(const std::string& text) {
  static int counter = 0;
  fs::path path = fs::temp_directory_path() / ("ropelm_config_test_" + std::to_string(::getpid()) + "_" +
                                               std::to_string(counter++) + ".toml");
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::optional<fs::path>& file, const std::vector<std::string>& sets) {
  try {
    load_config(file, sets);
  } catch (const UserError& error) {
    return error.what();
  }
  return "";
}

TEST(Config, DefaultsFileAndSetApplyInOrderOfPrecedence) {
  fs::path file = write_toml("[optim]\nlr = 0.01\nmin_lr = 0.0\n[model]\nd_model = 128\n");
  Config config = load_config(file, {"optim.lr=0.001"});
  EXPECT_DOUBLE_EQ(config.optim.lr, 0.001);  // --set beats the file
  EXPECT_EQ(config.model.d_model, 128);      // the file beats the default
  EXPECT_EQ(config.model.n_layers, ModelConfig{}.n_layers);
  EXPECT_EQ(config.name, file.stem().string());
}

TEST(Config, SetReadsValuesByTheKeysType) {
  Config config =
      load_config(std::nullopt, {"tokenizer.type=gpt2", "data.train=a.txt", "data.val=[\"b\", \"c\"]",
                                 "model.bias=true", "optim.warmup_steps=7", "optim.eps=1e-6"});
  EXPECT_EQ(config.tokenizer.type, TokenizerKind::kGpt2);
  EXPECT_EQ(config.data.train, std::vector<std::string>{"a.txt"});
  EXPECT_EQ(config.data.val, (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(config.model.bias);
  EXPECT_EQ(config.optim.warmup_steps, 7);
  EXPECT_DOUBLE_EQ(config.optim.eps, 1e-6);
}

TEST(Config, StrideDefaultsToContextLengthUnlessSet) {
  EXPECT_EQ(load_config(std::nullopt, {"data.context_length=32"}).data.stride, 32);
  EXPECT_EQ(load_config(std::nullopt, {"data.context_length=32", "data.stride=8"}).data.stride, 8);
}

TEST(Config, UnknownKeyInFileNamesFileLineAndSuggestion) {
  fs::path file = write_toml("[optim]\nlr = 0.1\nlrr = 0.2\n");
  std::string error = error_of(file, {});
  EXPECT_THAT(error, HasSubstr(file.string() + ":3"));
  EXPECT_THAT(error, HasSubstr("unknown key 'optim.lrr'"));
  EXPECT_THAT(error, HasSubstr("did you mean optim.lr?"));
}

TEST(Config, UnknownKeyInSetSuggestsTheClosestKey) {
  EXPECT_THAT(error_of(std::nullopt, {"optim.lrr=1"}), HasSubstr("did you mean optim.lr?"));
  EXPECT_THAT(error_of(std::nullopt, {"train.lr=1"}), HasSubstr("did you mean optim.lr?"));
  EXPECT_THAT(error_of(std::nullopt, {"modle.d_model=1"}), HasSubstr("did you mean model.d_model?"));
}

TEST(Config, UnknownSectionIsAnError) {
  fs::path file = write_toml("[trainer]\nsteps = 3\n");
  EXPECT_THAT(error_of(file, {}), HasSubstr("unknown key 'trainer.steps'"));
}

TEST(Config, WrongTypeNamesKeyAndLine) {
  fs::path file = write_toml("[model]\n\nd_model = \"big\"\n");
  std::string error = error_of(file, {});
  EXPECT_THAT(error, HasSubstr(file.string() + ":3"));
  EXPECT_THAT(error, HasSubstr("model.d_model must be an integer"));
  EXPECT_THAT(error_of(std::nullopt, {"model.d_model=1.5"}), HasSubstr("model.d_model must be an integer"));
  EXPECT_THAT(error_of(std::nullopt, {"model.bias=yes"}), HasSubstr("model.bias must be a boolean"));
}

TEST(Config, OutOfRangeValuesAreErrors) {
  EXPECT_THAT(error_of(std::nullopt, {"data.stride=0"}), HasSubstr("data.stride = 0 is out of range"));
  EXPECT_THAT(error_of(std::nullopt, {"data.val_fraction=1"}),
              HasSubstr("data.val_fraction = 1.0 is out of range"));
  EXPECT_THAT(error_of(std::nullopt, {"model.mlp=relu"}), HasSubstr("is not one of: swiglu, gelu"));
  fs::path file = write_toml("[data]\nbatch_size = -4\n");
  EXPECT_THAT(error_of(file, {}), HasSubstr(file.string() + ":2: data.batch_size = -4 is out of range"));
}

TEST(Config, AChoiceOutsideItsSetNamesFileLineChoicesAndTheClosest) {
  fs::path file = write_toml("[model]\nd_model = 64\nposition = \"rop\"\n");
  std::string error = error_of(file, {});
  EXPECT_THAT(error, HasSubstr(file.string() + ":3: model.position = 'rop' is not one of: rope, sinusoidal, "
                                               "learned, none, alibi (did you mean rope?)"));
  EXPECT_THAT(error_of(std::nullopt, {"optim.schedule=cosin"}), HasSubstr("(did you mean cosine?)"));
  EXPECT_THAT(error_of(std::nullopt, {"train.precision=fp64"}), HasSubstr("(did you mean fp32?)"));
  EXPECT_THAT(error_of(std::nullopt, {"tokenizer.type=xyz"}), Not(HasSubstr("did you mean")));
  EXPECT_THAT(error_of(std::nullopt, {"model.mlp=1"}), HasSubstr("model.mlp = '1' is not one of"));
  EXPECT_THAT(error_of(write_toml("[model]\nmlp = 1\n"), {}), HasSubstr("model.mlp must be a string"));
}

// Every name of every enum-valued key loads as its value and is printed back as the same name.
TEST(Config, EveryChoiceOfEveryKeyRoundTrips) {
  int choices = 0;
  for (const auto& key : config_keys()) {
    Config config;
    FieldRef field = key.field(config);
    const auto* choice = std::get_if<ChoiceRef>(&field);
    if (!choice) continue;
    for (const auto& name : choice->names) {
      Config loaded = load_config(std::nullopt, {key.full_name() + "=" + name});
      EXPECT_EQ(value_text(loaded, key), "'" + name + "'") << key.full_name();
      ++choices;
    }
  }
  EXPECT_EQ(choices, 2 + 2 + 5 + 2 + 4 + 3 + 4 + 4 + 3 + 3);  // the ten enums of config/choices.h
}

TEST(Config, CrossKeyChecksNameTheKeys) {
  EXPECT_THAT(error_of(std::nullopt, {"model.n_heads=5"}), HasSubstr("model.n_heads = 5 does not divide"));
  EXPECT_THAT(error_of(std::nullopt, {"train.device=tpu"}), HasSubstr("train.device"));
}

TEST(Config, MissingFileAndMalformedToml) {
  EXPECT_THAT(error_of(fs::path("/nonexistent/x.toml"), {}), HasSubstr("/nonexistent/x.toml does not exist"));
  fs::path file = write_toml("[model]\nd_model = 12\nn_layers = = 3\n");
  std::string error = error_of(file, {});
  EXPECT_THAT(error, HasSubstr(file.string() + ":3"));
  EXPECT_THAT(error, HasSubstr("malformed TOML"));
}

TEST(Config, PrintedTomlParsesBackToTheSameConfig) {
  Config config =
      load_config(std::nullopt, {"optim.lr=0.001", "data.val=[\"x y\", \"q\\\"z\"]", "model.norm_eps=1e-6"});
  std::string text = to_toml(config);
  EXPECT_THAT(text, HasSubstr("lr = 0.001\n"));
  Config again = parse_config_text(text, "saved");
  EXPECT_EQ(to_toml(again), text);
  EXPECT_EQ(again.data.val, config.data.val);
}

TEST(Config, EveryKeyIsPrintedOnce) {
  std::string text = to_toml(Config{});
  for (const auto& key : config_keys())
    EXPECT_THAT(text, HasSubstr("\n" + key.name + " = ")) << key.full_name();
}

// The keys of issue 18: alibi and yarn as choices, YaRN's ramp bounds, the study section (lists and ranges).
TEST(Config, PositionStudyKeys) {
  Config config = load_config(std::nullopt, {"model.position=alibi", "model.rope_scaling=yarn",
                                             "model.yarn_beta=16", "study.positions=[\"rope\", \"alibi\"]",
                                             "study.rope_scalings=[]", "study.max_length_factor=8"});
  EXPECT_EQ(config.model.position, PositionKind::kAlibi);
  EXPECT_EQ(config.model.rope_scaling, RopeScaling::kYarn);
  EXPECT_DOUBLE_EQ(config.model.yarn_alpha, 1.0);
  EXPECT_DOUBLE_EQ(config.model.yarn_beta, 16.0);
  EXPECT_EQ(config.study.positions, (std::vector<PositionKind>{PositionKind::kRope, PositionKind::kAlibi}));
  EXPECT_TRUE(config.study.rope_scalings.empty());
  EXPECT_EQ(config.study.max_length_factor, 8);
  EXPECT_EQ(config.study.eval_tokens, 0);
  EXPECT_THAT(error_of(std::nullopt, {"study.max_length_factor=0"}),
              HasSubstr("study.max_length_factor = 0"));
  EXPECT_THAT(error_of(std::nullopt, {"model.position=t5"}), HasSubstr("alibi"));
  EXPECT_THAT(
      error_of(std::nullopt, {"study.positions=[\"rope\", \"alibii\"]"}),
      HasSubstr("study.positions = 'alibii' is not one of: rope, sinusoidal, learned, none, alibi (did "
                "you mean alibi?)"));
  fs::path file = write_toml("[study]\nrope_scalings = [\"yarn\", \"t5\"]\n");
  EXPECT_THAT(error_of(file, {}), HasSubstr(file.string() + ":2: study.rope_scalings = 't5' is not one of"));
  EXPECT_THAT(error_of(std::nullopt, {"model.yarn_alpha=-1"}), HasSubstr("model.yarn_alpha"));
}

}  // namespace
}  // namespace ropelm
