// Planning a position-encoding study from its config.
#include "study/study_plan.h"

#include <algorithm>
#include <set>

#include "config/keys.h"
#include "util/error.h"

namespace ropelm {
namespace {

// The names `key` accepts (those of the model key it stands for), checked one by one and for repeats.
void check_names(const std::vector<std::string>& names, const std::string& key,
                 const std::vector<std::string>& allowed) {
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (const auto& choice : allowed) list += (list.empty() ? "" : ", ") + choice;
      throw UserError(key + " = '" + name + "' is not one of: " + list);
    }
    if (!seen.insert(name).second) throw UserError(key + " names '" + name + "' twice");
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
  check_names(study.positions, "study.positions", find_key("model.position")->choices);
  std::vector<std::string> scalings = find_key("model.rope_scaling")->choices;
  scalings.erase(std::remove(scalings.begin(), scalings.end(), "none"), scalings.end());
  check_names(study.rope_scalings, "study.rope_scalings", scalings);

  StudyPlan plan;
  plan.trained_length = config.data.context_length;
  plan.lengths = study_lengths(config.data.context_length, study.max_length_factor);
  for (const auto& position : study.positions) {
    StudyModel model{position, out_dir / position, config};
    model.config.model.position = position;
    model.config.name = config.name + "-" + position;
    plan.models.push_back(std::move(model));
    plan.variants.push_back({position, position, "none"});
    if (position != "rope") continue;
    for (const auto& scaling : study.rope_scalings)
      plan.variants.push_back({"rope+" + scaling, "rope", scaling});
  }
  return plan;
}

}  // namespace ropelm
