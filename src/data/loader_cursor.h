// Where a loader stands in the window stream: saved in checkpoints so a resumed run sees the same batches.
#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

namespace ropelm {

// Global over all ranks: position counts the windows of this epoch's permutation consumed by every rank
// together, so the same cursor restores any (rank, world_size) of the run that saved it.
struct LoaderCursor {
  int64_t epoch = 0;
  int64_t position = 0;

  bool operator==(const LoaderCursor&) const = default;
};

// {"epoch": E, "position": P}. from_json throws UserError for a missing, mistyped or negative field.
void to_json(nlohmann::json& json, const LoaderCursor& cursor);
void from_json(const nlohmann::json& json, LoaderCursor& cursor);

}  // namespace ropelm
