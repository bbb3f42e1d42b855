// Every subcommand of ropelm, in the order `--help` lists them, and whether it runs without LibTorch. The one
// place that says so: CMakeLists.txt reads these lines to build the LibTorch-free executable `ropelm` from
// the light commands' sources (src/cli/<name>_command.cpp), and that executable runs the light commands
// itself and hands every other command line to ropelm-torch.
#pragma once

#include <algorithm>
#include <iterator>
#include <string_view>

namespace ropelm::cli {

enum class Weight {
  kLight,     // built into `ropelm`, which never loads LibTorch (~165 MB and ~0.4 s saved a start)
  kLibTorch,  // only in ropelm-torch
};

struct ListedCommand {
  std::string_view name;
  Weight weight;
};

// CMakeLists.txt reads this list's light entries (a regular expression over this file).
// clang-format off
inline constexpr ListedCommand kCommandList[] = {
    {"config", Weight::kLight},
    {"data", Weight::kLight},
    {"tokenize", Weight::kLight},
    {"vocab", Weight::kLight},
    {"train", Weight::kLibTorch},
    {"eval", Weight::kLibTorch},
    {"generate", Weight::kLibTorch},
    {"info", Weight::kLibTorch},
    {"plot", Weight::kLight},
    {"study", Weight::kLibTorch},
    {"export", Weight::kLibTorch},
    {"import", Weight::kLibTorch},
};
// clang-format on

// The command's position in kCommandList (its place in --help), or the list's size for an unlisted name.
constexpr size_t command_position(std::string_view name) {
  auto found = std::find_if(std::begin(kCommandList), std::end(kCommandList),
                            [&](const ListedCommand& command) { return command.name == name; });
  return static_cast<size_t>(found - std::begin(kCommandList));
}

constexpr bool is_light_command(std::string_view name) {
  size_t position = command_position(name);
  return position < std::size(kCommandList) && kCommandList[position].weight == Weight::kLight;
}

}  // namespace ropelm::cli
