// The results of a position-encoding study as results.csv, results.md and the curves of results.png.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plot/length_plot.h"
#include "study/study_plan.h"

namespace ropelm {

struct StudyScore {
  double nll = 0;      // summed negative log-likelihood, nats
  int64_t tokens = 0;  // tokens scored
  double mean_nll() const { return nll / static_cast<double>(tokens); }
  double perplexity() const;
};

struct StudyResult {
  StudyVariant variant;
  int64_t length = 0;
  double factor = 1;                // rope_scaling's factor (1 without one)
  std::optional<StudyScore> score;  // absent: "n/a", the model cannot read this length (a learned table)
};

// Header `encoding,position,rope_scaling,factor,eval_length,tokens,mean_nll,perplexity`, then one row per
// result in order; n/a results have "n/a" in the last three columns. Numbers are printed exactly (%.17g).
std::string results_csv(const std::vector<StudyResult>& results);

// A Markdown table of perplexities: one row per variant, one column per length (n/a where absent), with a
// line saying what was measured.
std::string results_markdown(const std::vector<StudyResult>& results, const StudyPlan& plan);

// The curves of results.png: perplexity against length, one per variant.
LengthPlot results_plot(const std::vector<StudyResult>& results, const StudyPlan& plan);

}  // namespace ropelm
