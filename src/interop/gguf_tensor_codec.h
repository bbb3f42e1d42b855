// Tensor data in GGUF's element types: F32 and BF16/F16 (round to nearest even, as ggml converts), and ggml's
// Q8_0 blocks (32 values, one fp16 scale d = max|x| / 127, int8 q = round(x / d)).
#pragma once

#include <torch/torch.h>

#include <string>

#include "interop/gguf_file.h"

namespace ropelm {

// A GGUF tensor of `type` holding a float tensor of any shape (its dims reversed: ggml's dims[0] is the
// contiguous one). Q8_0 needs the last dimension to be a multiple of 32.
GgufTensor encode_gguf_tensor(const std::string& name, const torch::Tensor& values, GgmlType type);

// The tensor's values as fp32, in torch's dimension order.
torch::Tensor decode_gguf_tensor(const GgufTensor& tensor);

// Q8_0's worst-case error for a block whose largest magnitude is amax: half a quantisation step d = amax /
// 127, plus 127 times the scale's own fp16 rounding (relative 2^-11, or 2^-25 absolute where d is subnormal).
double q8_0_max_error(double amax);

// The element type --dtype names: f32, f16, bf16 or q8_0; UserError for anything else.
GgmlType ggml_type_from_dtype(const std::string& dtype);

}  // namespace ropelm
