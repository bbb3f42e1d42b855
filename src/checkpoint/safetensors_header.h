// Parsing and validating a safetensors header against the file it came from, before anything is allocated.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/safetensors_format.h"

namespace ropelm {

// One tensor's header entry; begin/end are relative to the start of the data region.
struct SafetensorsEntry {
  std::string name;
  const SafetensorsDtype* dtype = nullptr;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;  // in data order (ascending begin)
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // file offset of the data region: 8 + N
};

// Parses and validates the header of a whole safetensors file held in memory (normally a mapping): every
// length, shape and offset is checked against file.size() first, so a hostile file cannot cause a huge
// allocation or an out-of-bounds read later. Throws UserError naming `origin` (the path) and the problem.
SafetensorsHeader parse_safetensors_header(std::string_view file, const std::string& origin);

}  // namespace ropelm
