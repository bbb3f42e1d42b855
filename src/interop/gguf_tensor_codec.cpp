// Encoding and decoding GGUF tensor data; Q8_0 follows ggml-quants.c's quantize_row_q8_0_ref.
#include "interop/gguf_tensor_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/error.h"

namespace ropelm {
namespace {

constexpr int64_t kQ8Block = 32;

std::vector<uint64_t> ggml_dims(const torch::Tensor& values) {
  std::vector<uint64_t> dims;
  for (int64_t d = values.dim() - 1; d >= 0; --d) dims.push_back(static_cast<uint64_t>(values.size(d)));
  if (dims.empty()) dims.push_back(1);
  return dims;
}

std::string raw_bytes(const torch::Tensor& contiguous) {
  return std::string(static_cast<const char*>(contiguous.data_ptr()), contiguous.nbytes());
}

// Each block: the fp16 scale, then 32 int8 values (block_q8_0).
std::string q8_0_bytes(const torch::Tensor& values) {
  const float* x = values.data_ptr<float>();
  const int64_t blocks = values.numel() / kQ8Block;
  std::string out(static_cast<size_t>(blocks) * (2 + kQ8Block), '\0');
  char* block = out.data();
  for (int64_t b = 0; b < blocks; ++b, x += kQ8Block, block += 2 + kQ8Block) {
    float amax = 0.0f;
    for (int64_t j = 0; j < kQ8Block; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const c10::Half scale(d);
    std::memcpy(block, &scale, 2);
    for (int64_t j = 0; j < kQ8Block; ++j)
      block[2 + j] = static_cast<char>(static_cast<int8_t>(std::round(x[j] * id)));
  }
  return out;
}

torch::Tensor q8_0_values(const std::string& data, int64_t numel) {
  torch::Tensor values = torch::empty({numel}, torch::kFloat);
  float* x = values.data_ptr<float>();
  const char* block = data.data();
  for (int64_t b = 0; b < numel / kQ8Block; ++b, block += 2 + kQ8Block) {
    c10::Half scale;
    std::memcpy(&scale, block, 2);
    const float d = static_cast<float>(scale);
    for (int64_t j = 0; j < kQ8Block; ++j) *x++ = static_cast<float>(static_cast<int8_t>(block[2 + j])) * d;
  }
  return values;
}

torch::ScalarType scalar_type(GgmlType type) {
  switch (type) {
    case GgmlType::kF16:
      return torch::kHalf;
    case GgmlType::kBF16:
      return torch::kBFloat16;
    default:
      return torch::kFloat;
  }
}

}  // namespace

GgufTensor encode_gguf_tensor(const std::string& name, const torch::Tensor& values, GgmlType type) {
  GgufTensor tensor{name, ggml_dims(values), type, {}};
  const torch::Tensor fp32 = values.detach().to(torch::kCPU, torch::kFloat).contiguous();
  if (type == GgmlType::kQ8_0) {
    if (tensor.dims[0] % kQ8Block != 0) throw std::logic_error("Q8_0 rows must be whole blocks: " + name);
    tensor.data = q8_0_bytes(fp32);
  } else {
    tensor.data = raw_bytes(fp32.to(scalar_type(type)).contiguous());
  }
  return tensor;
}

torch::Tensor decode_gguf_tensor(const GgufTensor& tensor) {
  std::vector<int64_t> shape(tensor.dims.rbegin(), tensor.dims.rend());
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  if (tensor.type == GgmlType::kQ8_0) return q8_0_values(tensor.data, numel).reshape(shape);
  torch::Tensor values = torch::empty(shape, scalar_type(tensor.type));
  if (static_cast<size_t>(values.nbytes()) != tensor.data.size())
    throw std::logic_error("GGUF tensor data of the wrong size: " + tensor.name);
  std::memcpy(values.data_ptr(), tensor.data.data(), tensor.data.size());
  return values.to(torch::kFloat);
}

double q8_0_max_error(double amax) {
  const double d = amax / 127.0;
  return d / 2.0 + 127.0 * std::max(d * std::ldexp(1.0, -11), std::ldexp(1.0, -25));
}

GgmlType ggml_type_from_dtype(const std::string& dtype) {
  if (dtype == "f32") return GgmlType::kF32;
  if (dtype == "f16") return GgmlType::kF16;
  if (dtype == "bf16") return GgmlType::kBF16;
  if (dtype == "q8_0") return GgmlType::kQ8_0;
  throw UserError("--dtype " + dtype + " is not one of f32, f16, bf16, q8_0");
}

}  // namespace ropelm
