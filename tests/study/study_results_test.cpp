// The study's outputs: results.csv parsed back here gives the exact scores (n/a rows included), results.md's
// table cells, and the score cache's bitwise round trip through a file cut short by a kill.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "study/study_eval_cache.h"
#include "study/study_results.h"
#include "support/csv_rows.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"

namespace ropelm {
namespace {

using testing::csv_rows;

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_text;

StudyPlan two_variant_plan() {
  StudyPlan plan;
  plan.trained_length = 64;
  plan.lengths = {64, 128};
  plan.variants = {{"rope+yarn", PositionKind::kRope, RopeScaling::kYarn},
                   {"learned", PositionKind::kLearned, RopeScaling::kNone}};
  return plan;
}

std::vector<StudyResult> results_of(const StudyPlan& plan) {
  return {{plan.variants[0], 64, 1.0, StudyScore{1000.0 / 3, 200}},
          {plan.variants[0], 128, 2.0, StudyScore{0.1 + 0.2, 7}},
          {plan.variants[1], 64, 1.0, StudyScore{300.0, 200}},
          {plan.variants[1], 128, 1.0, std::nullopt}};
}

TEST(StudyResults, CsvGivesBackTheExactScores) {
  StudyPlan plan = two_variant_plan();
  auto rows = csv_rows(results_csv(results_of(plan)));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"encoding", "position", "rope_scaling", "factor",
                                               "eval_length", "tokens", "mean_nll", "perplexity"}));
  EXPECT_EQ(rows[2][0], "rope+yarn");
  EXPECT_EQ(rows[2][3], "2");
  EXPECT_EQ(rows[2][4], "128");
  EXPECT_EQ(rows[2][5], "7");
  EXPECT_EQ(std::strtod(rows[2][6].c_str(), nullptr), (0.1 + 0.2) / 7);  // bitwise
  EXPECT_EQ(std::strtod(rows[1][7].c_str(), nullptr), std::exp(1000.0 / 3 / 200));
  EXPECT_EQ(rows[4],
            (std::vector<std::string>{"learned", "learned", "none", "1", "128", "n/a", "n/a", "n/a"}));
}

TEST(StudyResults, MarkdownTableHasAColumnPerLengthAndNaWhereAbsent) {
  StudyPlan plan = two_variant_plan();
  std::string md = results_markdown(results_of(plan), plan);
  EXPECT_THAT(md, HasSubstr("trained on 64 tokens"));
  EXPECT_THAT(md, HasSubstr("| encoding | 64 | 128 |\n|---|---:|---:|\n"));
  // exp(1000/3/200) = 5.29; exp(0.3/7) = 1.04; exp(1.5) = 4.48.
  EXPECT_THAT(md, HasSubstr("| rope+yarn | 5.29 | 1.04 |\n"));
  EXPECT_THAT(md, HasSubstr("| learned | 4.48 | n/a |\n"));
}

TEST(StudyResults, PlotCurvesFollowTheVariants) {
  StudyPlan plan = two_variant_plan();
  LengthPlot plot = results_plot(results_of(plan), plan);
  ASSERT_EQ(plot.curves.size(), 2u);
  EXPECT_EQ(plot.curves[1].name, "learned");
  ASSERT_EQ(plot.curves[1].points.size(), 2u);
  EXPECT_FALSE(plot.curves[1].points[1].perplexity.has_value());
  EXPECT_EQ(plot.trained_length, 64);
}

TEST(StudyEvalCache, ScoresComeBackBitwiseAndACutLineIsSkipped) {
  TempDir dir;
  const StudyScore score{1.0 / 3.0 * 1e4, 12345};
  {
    StudyEvalCache cache(dir / "evals.jsonl");
    EXPECT_FALSE(cache.find("a").has_value());
    cache.add("a", score);
  }
  // A study killed while appending leaves a half line without its newline.
  write_text(dir / "evals.jsonl", read_file(dir / "evals.jsonl") + "{\"key\": \"b\", \"nl");
  {
    StudyEvalCache cache(dir / "evals.jsonl");
    ASSERT_TRUE(cache.find("a").has_value());
    EXPECT_EQ(cache.find("a")->nll, score.nll);
    EXPECT_EQ(cache.find("a")->tokens, score.tokens);
    EXPECT_FALSE(cache.find("b").has_value());
    cache.add("c", {2.5, 3});
  }
  StudyEvalCache reread(dir / "evals.jsonl");
  ASSERT_TRUE(reread.find("c").has_value());
  EXPECT_EQ(reread.find("c")->nll, 2.5);
  EXPECT_TRUE(reread.find("a").has_value());
}

}  // namespace
}  // namespace ropelm
