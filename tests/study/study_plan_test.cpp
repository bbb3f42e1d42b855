// Planning `ropelm study`: the evaluation lengths, one model and run dir per position encoding, rope's
// extensions as extra variants, and the errors that name the study key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "study/study_plan.h"
#include "util/error.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;

std::string error_of(const Config& config) {
  try {
    plan_study(config, "out");
  } catch (const UserError& error) {
    return error.what();
  }
  return "no UserError";
}

TEST(StudyPlan, LengthsDoubleUpToTheFactor) {
  EXPECT_EQ(study_lengths(64, 16), (std::vector<int64_t>{64, 128, 256, 512, 1024}));
  EXPECT_EQ(study_lengths(64, 1), (std::vector<int64_t>{64}));
  EXPECT_EQ(study_lengths(32, 6), (std::vector<int64_t>{32, 64, 128, 192}));
}

TEST(StudyPlan, OneModelPerPositionAndRopesExtensionsAsVariants) {
  Config config;
  config.name = "positions";
  config.data.context_length = 64;
  config.study.max_length_factor = 4;
  StudyPlan plan = plan_study(config, "runs/positions-study");
  ASSERT_EQ(plan.models.size(), 5u);
  std::vector<std::string> names;
  for (const auto& model : plan.models) {
    EXPECT_EQ(model.config.model.position, model.position);
    const std::string name(choice_name(model.position));
    EXPECT_EQ(model.run_dir, std::filesystem::path("runs/positions-study") / name);
    EXPECT_EQ(model.config.name, "positions-" + name);
    EXPECT_EQ(model.config.model.d_model, config.model.d_model);  // nothing else changes
    names.push_back(name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"rope", "alibi", "sinusoidal", "learned", "none"}));
  std::vector<std::string> variants;
  for (const auto& variant : plan.variants) variants.push_back(variant.name);
  EXPECT_EQ(variants, (std::vector<std::string>{"rope", "rope+linear", "rope+yarn", "alibi", "sinusoidal",
                                                "learned", "none"}));
  EXPECT_EQ(plan.variants[2].position, PositionKind::kRope);
  EXPECT_EQ(plan.variants[2].rope_scaling, RopeScaling::kYarn);
  EXPECT_EQ(plan.lengths, (std::vector<int64_t>{64, 128, 256}));
  EXPECT_EQ(plan.trained_length, 64);
}

TEST(StudyPlan, BadListsNameTheKey) {
  Config config;
  config.study.positions = {PositionKind::kAlibi, PositionKind::kAlibi};
  EXPECT_EQ(error_of(config), "study.positions names 'alibi' twice");
  config.study.positions = {};
  EXPECT_THAT(error_of(config), HasSubstr("study.positions is empty"));
  config.study.positions = {PositionKind::kRope};
  config.study.rope_scalings = {RopeScaling::kYarn, RopeScaling::kYarn};
  EXPECT_EQ(error_of(config), "study.rope_scalings names 'yarn' twice");
  config.study.rope_scalings = {RopeScaling::kNone};
  EXPECT_THAT(error_of(config), HasSubstr("study.rope_scalings names 'none'"));
}

}  // namespace
}  // namespace ropelm
