// What `ropelm study` runs: one model per position encoding (the config with model.position changed, each in
// its own run dir) and the evaluation lengths and variants, resolved and checked from the `study` section.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"

namespace ropelm {

struct StudyModel {
  PositionKind position;          // model.position of this model
  std::filesystem::path run_dir;  // OUT/<position's name>
  Config config;                  // the study's config with model.position = position
};

// One line of the results: a model evaluated as trained, or (for rope) with a context extension whose factor
// is length / data.context_length.
struct StudyVariant {
  std::string name;          // "rope", "rope+yarn", "alibi", ...
  PositionKind position;     // the model it evaluates
  RopeScaling rope_scaling;  // kNone: as trained
};

struct StudyPlan {
  std::vector<StudyModel> models;
  std::vector<StudyVariant> variants;  // in the order of study.positions, rope's extensions after rope
  std::vector<int64_t> lengths;        // ascending; the first is data.context_length
  int64_t trained_length = 0;          // data.context_length
};

// data.context_length × 1, 2, 4, … while ≤ max_factor, and × max_factor itself when it is no power of two.
std::vector<int64_t> study_lengths(int64_t context_length, int64_t max_factor);

// Throws UserError naming study.positions or study.rope_scalings for a repeated name (or rope_scalings =
// none), or an empty position list. (Loading the config refuses a name that is no choice.)
StudyPlan plan_study(const Config& config, const std::filesystem::path& out_dir);

}  // namespace ropelm
