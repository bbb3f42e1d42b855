// Writing a study's results: CSV rows, a Markdown table, plot curves.
#include "study/study_results.h"

#include <fmt/format.h>

#include <cmath>

namespace ropelm {
namespace {

std::string exact(double value) {
  return fmt::format("{:.17g}", value);
}

// Perplexity in the table: two decimals, enough to tell encodings apart; n/a where the model cannot run.
std::string table_cell(const StudyResult& result) {
  return result.score ? fmt::format("{:.2f}", result.score->perplexity()) : "n/a";
}

}  // namespace

double StudyScore::perplexity() const {
  return std::exp(mean_nll());
}

std::string results_csv(const std::vector<StudyResult>& results) {
  std::string csv = "encoding,position,rope_scaling,factor,eval_length,tokens,mean_nll,perplexity\n";
  for (const auto& r : results) {
    csv += fmt::format("{},{},{},{},{},", r.variant.name, choice_name(r.variant.position),
                       choice_name(r.variant.rope_scaling), exact(r.factor), r.length);
    csv += r.score ? fmt::format("{},{},{}\n", r.score->tokens, exact(r.score->mean_nll()),
                                 exact(r.score->perplexity()))
                   : "n/a,n/a,n/a\n";
  }
  return csv;
}

std::string results_markdown(const std::vector<StudyResult>& results, const StudyPlan& plan) {
  std::string md = fmt::format(
      "Validation perplexity (per token) by evaluation length, non-overlapping windows of that length; the "
      "models were trained on {} tokens.\n\n| encoding |",
      plan.trained_length);
  for (int64_t length : plan.lengths) md += fmt::format(" {} |", length);
  md += "\n|---|";
  for (size_t i = 0; i < plan.lengths.size(); ++i) md += "---:|";
  md += "\n";
  for (const auto& variant : plan.variants) {
    md += "| " + variant.name + " |";
    for (int64_t length : plan.lengths) {
      std::string cell = "";
      for (const auto& r : results)
        if (r.variant.name == variant.name && r.length == length) cell = table_cell(r);
      md += " " + cell + " |";
    }
    md += "\n";
  }
  return md;
}

LengthPlot results_plot(const std::vector<StudyResult>& results, const StudyPlan& plan) {
  LengthPlot plot;
  plot.trained_length = plan.trained_length;
  plot.title =
      "perplexity by evaluation length (trained on " + std::to_string(plan.trained_length) + " tokens)";
  for (const auto& variant : plan.variants) {
    LengthCurve curve{variant.name, {}};
    for (const auto& r : results) {
      if (r.variant.name != variant.name) continue;
      curve.points.push_back(
          {r.length, r.score ? std::optional<double>(r.score->perplexity()) : std::nullopt});
    }
    plot.curves.push_back(std::move(curve));
  }
  return plot;
}

}  // namespace ropelm
