// The safetensors file format (https://github.com/huggingface/safetensors): layout constants and dtype table.
#pragma once

#include <c10/core/ScalarType.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ropelm {

// The spec's layout: an 8-byte little-endian u64 N, N bytes of JSON header, then the raw tensor data.
constexpr size_t kSafetensorsLengthBytes = 8;
// The reference reader refuses headers over 100 MB (safetensors/src/tensor.rs MAX_HEADER_SIZE).
constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;
// The key under which the spec stores free-form string metadata.
constexpr std::string_view kSafetensorsMetadataKey = "__metadata__";

struct SafetensorsDtype {
  std::string_view name;  // as spelled in the header: "F32", "BF16", ...
  c10::ScalarType scalar_type;
  size_t size;  // bytes per element
  // Position in the reference's `Dtype` enum (tensor.rs), which its writer sorts by, descending, to lay out
  // data; using the same order makes our files byte-identical to the reference writer's.
  int reference_order;
};

// nullptr when the spec name is unknown or has no LibTorch equivalent here (e.g. F8_E4M3, U16).
const SafetensorsDtype* find_safetensors_dtype(std::string_view name);
// nullptr when LibTorch's dtype has no safetensors spelling supported here (e.g. complex).
const SafetensorsDtype* find_safetensors_dtype(c10::ScalarType scalar_type);

}  // namespace ropelm
