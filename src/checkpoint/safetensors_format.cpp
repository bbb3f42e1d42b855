// The safetensors dtype table: the spec's dtype names mapped to LibTorch scalar types.
#include "checkpoint/safetensors_format.h"

#include <array>

namespace ropelm {
namespace {

// The spec's names (safetensors/src/tensor.rs `Dtype`) that LibTorch 1.13 can hold; F8_*, U16, U32 and U64
// have no LibTorch 1.13 dtype.
constexpr std::array<SafetensorsDtype, 10> kDtypes{{
    {"BOOL", c10::ScalarType::Bool, 1, 0},
    {"U8", c10::ScalarType::Byte, 1, 1},
    {"I8", c10::ScalarType::Char, 1, 2},
    {"I16", c10::ScalarType::Short, 2, 5},
    {"F16", c10::ScalarType::Half, 2, 7},
    {"BF16", c10::ScalarType::BFloat16, 2, 8},
    {"I32", c10::ScalarType::Int, 4, 9},
    {"F32", c10::ScalarType::Float, 4, 11},
    {"F64", c10::ScalarType::Double, 8, 12},
    {"I64", c10::ScalarType::Long, 8, 13},
}};

}  // namespace

const SafetensorsDtype* find_safetensors_dtype(std::string_view name) {
  for (const auto& dtype : kDtypes) {
    if (dtype.name == name) return &dtype;
  }
  return nullptr;
}

const SafetensorsDtype* find_safetensors_dtype(c10::ScalarType scalar_type) {
  for (const auto& dtype : kDtypes) {
    if (dtype.scalar_type == scalar_type) return &dtype;
  }
  return nullptr;
}

}  // namespace ropelm
