// Planning a position-encoding study from its config.
#include "study/study_plan.h"

#include <algorithm>
#include <set>

#include "util/error.h"

namespace ropelm {
namespace {

// Refuses a repeated entry of `key`'s list.
template <typename Enum>
void check_unique(const std::vector<Enum>& values, const std::string& key) {
  std::set<Enum> seen;
  for (Enum value : values) {
    if (!seen.insert(value).second)
      throw UserError(key + " names '" + std::string(choice_name(value)) + "' twice");
  }
}

}  // namespace

std::vector<int64_t> study_lengths(int64_t context_length, int64_t max_factor) {
  std::vector<int64_t> lengths;
  int64_t factor = 1;
  for (; factor <= max_factor; factor *= 2) lengths.push_back(context_length * factor);
  if (factor / 2 != max_factor) lengths.push_back(context_length * max_factor);
  return lengths;
}

StudyPlan plan_study(const Config& config, const std::filesystem::path& out_dir) {
  const StudyConfig& study = config.study;
  if (study.positions.empty())
    throw UserError("study.positions is empty: name at least one position encoding");
  check_unique(study.positions, "study.positions");
  check_unique(study.rope_scalings, "study.rope_scalings");
  if (std::find(study.rope_scalings.begin(), study.rope_scalings.end(), RopeScaling::kNone) !=
      study.rope_scalings.end()) {
    throw UserError(
        "study.rope_scalings names 'none': the rope model is always scored as trained; list only "
        "extensions (linear, ntk, yarn)");
  }

  StudyPlan plan;
  plan.trained_length = config.data.context_length;
  plan.lengths = study_lengths(config.data.context_length, study.max_length_factor);
  for (PositionKind position : study.positions) {
    const std::string name(choice_name(position));
    StudyModel model{position, out_dir / name, config};
    model.config.model.position = position;
    model.config.name = config.name + "-" + name;
    plan.models.push_back(std::move(model));
    plan.variants.push_back({name, position, RopeScaling::kNone});
    if (position != PositionKind::kRope) continue;
    for (RopeScaling scaling : study.rope_scalings)
      plan.variants.push_back({name + "+" + std::string(choice_name(scaling)), position, scaling});
  }
  return plan;
}

}  // namespace ropelm
