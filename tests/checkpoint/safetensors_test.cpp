// Safetensors round trips and byte-level goldens: the reference writer's own test vectors and hand-built
// files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "checkpoint/safetensors_reader.h"
#include "checkpoint/safetensors_writer.h"
#include "test_helpers.h"
#include "util/error.h"

namespace ropelm {
namespace {

using testing::read_bytes;
using testing::safetensors_bytes;
using testing::TempDir;
using testing::write_bytes;

std::string bytes_of(std::initializer_list<int> values) {
  std::string bytes;
  for (int value : values) bytes.push_back(static_cast<char>(value));
  return bytes;
}

// Every bit pattern matters (NaN payloads, -0, subnormals), so compare the raw bits, not the values.
void expect_same_bits(const at::Tensor& expected, const at::Tensor& actual) {
  ASSERT_EQ(expected.scalar_type(), actual.scalar_type());
  ASSERT_EQ(expected.sizes(), actual.sizes());
  auto as_bytes = [](const at::Tensor& t) { return t.contiguous().reshape({-1}).view(torch::kUInt8); };
  EXPECT_TRUE(torch::equal(as_bytes(expected), as_bytes(actual)));
}

TEST(Safetensors, RoundTripIsBitExactForEveryBitPattern) {
  TempDir dir;
  torch::manual_seed(7);
  NamedTensors tensors = {
      {"f32", torch::randint(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), {5, 7},
                             torch::kInt)
                  .view(torch::kFloat)},
      {"bf16", torch::arange(-32768, 32768, torch::kInt).to(torch::kShort).view(torch::kBFloat16)},
      {"f16",
       torch::arange(-32768, 32768, torch::kInt).to(torch::kShort).view(torch::kHalf).reshape({256, 256})},
      {"f64", torch::randn({3}, torch::kDouble)},
      {"i64", torch::tensor({std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{42}})},
      {"i32", torch::tensor({-5, 6}, torch::kInt)},
      {"mask", torch::tensor({true, false, true})},
      {"scalar", torch::tensor(3.5f)},
      {"empty", torch::zeros({0, 4})},
  };
  std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcode ok"}};
  save_safetensors(dir.path() / "t.safetensors", tensors, metadata);

  SafetensorsFile file(dir.path() / "t.safetensors");
  EXPECT_EQ(file.metadata(), metadata);
  EXPECT_EQ(file.names().size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    SCOPED_TRACE(name);
    expect_same_bits(tensor, file.tensor(name));
    EXPECT_EQ(file.info(name).shape, tensor.sizes().vec());
  }
}

TEST(Safetensors, SavesValuesOfNonContiguousAndGradTensors) {
  TempDir dir;
  at::Tensor base = torch::arange(12, torch::kFloat).reshape({3, 4});
  at::Tensor transposed = base.t();
  at::Tensor param = torch::ones({2}).requires_grad_(true);
  save_safetensors(dir.path() / "t.safetensors", {{"t", transposed}, {"p", param}, {"slice", base[1]}});
  SafetensorsFile file(dir.path() / "t.safetensors");
  EXPECT_TRUE(torch::equal(file.tensor("t"), transposed));
  EXPECT_TRUE(torch::equal(file.tensor("p"), param.detach()));
  EXPECT_TRUE(torch::equal(file.tensor("slice"), base[1]));
}

TEST(Safetensors, TensorsOutliveTheFile) {
  TempDir dir;
  save_safetensors(dir.path() / "t.safetensors", {{"x", torch::arange(4, torch::kFloat)}});
  at::Tensor x;
  {
    SafetensorsFile file(dir.path() / "t.safetensors");
    x = file.tensor("x");
  }
  EXPECT_TRUE(torch::equal(x, torch::arange(4, torch::kFloat)));
}

TEST(Safetensors, BytesDoNotDependOnTheOrderGiven) {
  TempDir dir;
  at::Tensor a = torch::randn({3}), b = torch::randn({2}, torch::kBFloat16), c = torch::tensor({int64_t{1}});
  save_safetensors(dir.path() / "1.safetensors", {{"a", a}, {"b", b}, {"c", c}});
  save_safetensors(dir.path() / "2.safetensors", {{"c", c}, {"b", b}, {"a", a}});
  EXPECT_EQ(read_bytes(dir.path() / "1.safetensors"), read_bytes(dir.path() / "2.safetensors"));
}

// The expected bytes of the reference implementation's own tests (safetensors/src/tensor.rs,
// test_serialization_forced_alignement and test_empty): our writer must produce them exactly.
TEST(Safetensors, WriterMatchesTheReferenceWritersTestVectors) {
  TempDir dir;
  save_safetensors(dir.path() / "a.safetensors",
                   {{"attn0", torch::arange(6, torch::kFloat).reshape({1, 1, 2, 3})}});
  std::string header = R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})";
  std::string data =
      bytes_of({0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64});
  EXPECT_EQ(read_bytes(dir.path() / "a.safetensors"),
            bytes_of({72, 0, 0, 0, 0, 0, 0, 0}) + header + "       " + data);

  save_safetensors(dir.path() / "empty.safetensors", {});
  EXPECT_EQ(read_bytes(dir.path() / "empty.safetensors"), bytes_of({8, 0, 0, 0, 0, 0, 0, 0}) + "{}      ");

  save_safetensors(dir.path() / "meta.safetensors", {}, {{"framework", "pt"}});
  EXPECT_EQ(read_bytes(dir.path() / "meta.safetensors"),
            bytes_of({40, 0, 0, 0, 0, 0, 0, 0}) + R"({"__metadata__":{"framework":"pt"}})" + "     ");
}

// Hand-built per the spec: dtype order I64 > F32 > BF16 > F16 in the data, each value's little-endian bits.
TEST(Safetensors, WriterMatchesHandBuiltBytesForMixedDtypes) {
  TempDir dir;
  NamedTensors tensors = {{"b", torch::tensor({1.0f, 0.5f, -1.0f}).to(torch::kBFloat16)},
                          {"a", torch::tensor({1.0f, -2.5f})},
                          {"c", torch::tensor({1.0f, -2.0f}).to(torch::kHalf)},
                          {"i", torch::tensor(int64_t{7})}};
  save_safetensors(dir.path() / "t.safetensors", tensors, {{"k", "v"}});
  std::string header = R"({"__metadata__":{"k":"v"},)"
                       R"("i":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
                       R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                       R"("b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},)"
                       R"("c":{"dtype":"F16","shape":[2],"data_offsets":[22,26]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string data = bytes_of({7,    0,    0,    0,    0,    0,    0,    0,     // i: int64 7
                               0,    0,    0x80, 0x3f, 0,    0,    0x20, 0xc0,  // a: 1.0f, -2.5f
                               0x80, 0x3f, 0x00, 0x3f, 0x80, 0xbf,              // b: bf16 1, 0.5, -1
                               0x00, 0x3c, 0x00, 0xc0});                        // c: f16 1, -2
  EXPECT_EQ(read_bytes(dir.path() / "t.safetensors"), safetensors_bytes(header, data));
}

// A file as another writer may lay it out: unpadded header, spaces, keys and entries in any order.
TEST(Safetensors, ReaderAcceptsAnyValidLayout) {
  TempDir dir;
  std::string header = R"({"w": {"data_offsets": [4, 20], "shape": [2, 2], "dtype": "I32"},)"
                       R"( "s": {"shape": [2], "dtype": "F16", "data_offsets": [0, 4]},)"
                       R"( "__metadata__": {"format": "pt"}})";
  std::string data =
      bytes_of({0x00, 0x3c, 0x00, 0xc0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff});
  write_bytes(dir.path() / "x.safetensors", safetensors_bytes(header, data));

  SafetensorsFile file(dir.path() / "x.safetensors");
  EXPECT_EQ(file.names(), (std::vector<std::string>{"s", "w"}));
  EXPECT_EQ(file.metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
  EXPECT_EQ(file.info("w").dtype->scalar_type, torch::kInt);
  EXPECT_TRUE(torch::equal(file.tensor("w"), torch::tensor({{1, 2}, {3, -1}}, torch::kInt)));
  EXPECT_TRUE(torch::equal(file.tensor("s"), torch::tensor({1.0f, -2.0f}).to(torch::kHalf)));
  EXPECT_THROW(file.tensor("missing"), UserError);
}

TEST(Safetensors, WriterRejectsBadNamesAndDtypes) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "t.safetensors";
  at::Tensor x = torch::zeros({2});
  EXPECT_THROW(save_safetensors(path, {{"x", x}, {"x", x}}), UserError);
  EXPECT_THROW(save_safetensors(path, {{"__metadata__", x}}), UserError);
  EXPECT_THROW(save_safetensors(path, {{"c", torch::zeros({2}, torch::kComplexFloat)}}), UserError);
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace ropelm
