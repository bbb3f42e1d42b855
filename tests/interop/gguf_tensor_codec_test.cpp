// GGUF tensor encodings against closed forms: F32 exact, F16/BF16 bit patterns of known values (round to
// nearest even), Q8_0's block bytes computed by hand and its dequantisation within the documented error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "interop/gguf_tensor_codec.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

uint16_t half_bits(const std::string& data, size_t index) {
  uint16_t bits;
  std::memcpy(&bits, data.data() + 2 * index, 2);
  return bits;
}

TEST(GgufTensorCodec, F32IsExactWithDimsReversed) {
  torch::manual_seed(1);
  auto values = torch::randn({3, 64});
  GgufTensor tensor = encode_gguf_tensor("w", values, GgmlType::kF32);
  EXPECT_EQ(tensor.dims, (std::vector<uint64_t>{64, 3}));
  EXPECT_EQ(tensor.data.size(), 3u * 64 * 4);
  EXPECT_TRUE(decode_gguf_tensor(tensor).equal(values));
}

TEST(GgufTensorCodec, HalfAndBfloatRoundToNearestEven) {
  // 1/3 = 0x3EAAAAAB in fp32: fp16 0x3555, bf16 0x3EAB (rounded up: the dropped bits 0xAAAB exceed half).
  // 1 + 2^-8 lies exactly between two bf16 values: even rounding keeps 0x3F80.
  auto values = torch::tensor({1.0f / 3.0f, 1.0f + std::ldexp(1.0f, -8), -2.0f});
  GgufTensor f16 = encode_gguf_tensor("h", values, GgmlType::kF16);
  GgufTensor bf16 = encode_gguf_tensor("b", values, GgmlType::kBF16);
  EXPECT_EQ(half_bits(f16.data, 0), 0x3555);
  EXPECT_EQ(half_bits(f16.data, 2), 0xC000);
  EXPECT_EQ(half_bits(bf16.data, 0), 0x3EAB);
  EXPECT_EQ(half_bits(bf16.data, 1), 0x3F80);
  EXPECT_EQ(half_bits(bf16.data, 2), 0xC000);
  EXPECT_FLOAT_EQ(decode_gguf_tensor(bf16)[0].item<float>(), 0.333984375f);
}

TEST(GgufTensorCodec, Q8_0BlockBytesByHand) {
  // x_j = (j - 16) / 10: amax = 1.6, d = 1.6 / 127, q_j = round(x_j / d) = round((j - 16) · 127 / 16).
  auto values = (torch::arange(32, torch::kFloat) - 16) / 10;
  GgufTensor tensor = encode_gguf_tensor("q", values, GgmlType::kQ8_0);
  ASSERT_EQ(tensor.data.size(), 34u);
  c10::Half d(1.6f / 127.0f);
  uint16_t d_bits;
  std::memcpy(&d_bits, &d, 2);
  EXPECT_EQ(half_bits(tensor.data, 0), d_bits);
  for (int j = 0; j < 32; ++j) {
    const int expected = static_cast<int>(std::lround((j - 16) * 127.0 / 16.0));
    EXPECT_EQ(static_cast<int8_t>(tensor.data[2 + j]), expected) << j;
  }
  EXPECT_EQ(static_cast<int8_t>(tensor.data[2]), -127);
}

TEST(GgufTensorCodec, Q8_0DequantisesWithinItsDocumentedError) {
  torch::manual_seed(2);
  // Blocks of very different scales, and an all-zero block (d = 0 decodes to exact zeros).
  auto values = torch::randn({8, 64}) * torch::logspace(-4, 2, 8).view({8, 1});
  values[3].zero_();
  auto decoded = decode_gguf_tensor(encode_gguf_tensor("q", values, GgmlType::kQ8_0));
  auto blocks = values.view({-1, 32}), back = decoded.view({-1, 32});
  for (int64_t b = 0; b < blocks.size(0); ++b) {
    const double amax = blocks[b].abs().max().item<double>();
    const double error = (back[b] - blocks[b]).abs().max().item<double>();
    EXPECT_LE(error, q8_0_max_error(amax)) << "block " << b;
  }
  EXPECT_TRUE(decoded[3].eq(0).all().item<bool>());
  // The bound is tight to within the fp16 term: the worst block uses most of half a step.
  auto step = blocks.abs().amax(1) / 127;
  EXPECT_GT(((back - blocks).abs().amax(1) / step.clamp_min(1e-30)).max().item<double>(), 0.4);
}

TEST(GgufTensorCodec, DtypeNamesAreChecked) {
  EXPECT_EQ(ggml_type_from_dtype("q8_0"), GgmlType::kQ8_0);
  EXPECT_EQ(ggml_type_from_dtype("bf16"), GgmlType::kBF16);
  EXPECT_THROW(ggml_type_from_dtype("q4_0"), UserError);
}

}  // namespace
}  // namespace ropelm::testing
