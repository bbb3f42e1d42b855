// The GGUF container: every metadata type and tensor type round-trips through write_gguf / read_gguf, the
// layout follows docs/gguf.md (checked byte by byte on a small file), and hostile input — every truncation,
// huge counts and lengths, offsets past the end, unaligned offsets, wrong magic or version — is a UserError.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "interop/gguf_file.h"
#include "interop/gguf_tensor_codec.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm::testing {
namespace {

using ::testing::HasSubstr;

GgufFile sample_file() {
  GgufFile file;
  file.set("general.architecture", {std::string("llama")});
  file.set("a.u8", {uint8_t{200}});
  file.set("a.i8", {int8_t{-100}});
  file.set("a.u16", {uint16_t{60000}});
  file.set("a.i16", {int16_t{-30000}});
  file.set("a.u32", {uint32_t{4000000000u}});
  file.set("a.i32", {int32_t{-2000000000}});
  file.set("a.f32", {1.5f});
  file.set("a.bool", {true});
  file.set("a.u64", {uint64_t{1} << 60});
  file.set("a.i64", {-(int64_t{1} << 60)});
  file.set("a.f64", {0.1});
  file.set("a.strings",
           gguf_array(GgufValueType::kString, std::vector<std::string>{"x", "", "\xE2\x96\x81y"}));
  GgufArray nested{GgufValueType::kArray, {gguf_array(GgufValueType::kInt32, std::vector<int32_t>{1, 2})}};
  file.set("a.nested", {nested});
  torch::manual_seed(3);
  file.tensors.push_back(encode_gguf_tensor("t.f32", torch::randn({3, 5}), GgmlType::kF32));
  file.tensors.push_back(encode_gguf_tensor("t.f16", torch::randn({7}), GgmlType::kF16));
  file.tensors.push_back(encode_gguf_tensor("t.bf16", torch::randn({2, 3}), GgmlType::kBF16));
  file.tensors.push_back(encode_gguf_tensor("t.q8_0", torch::randn({2, 64}), GgmlType::kQ8_0));
  return file;
}

// The bytes of a file, written by write_gguf.
std::string file_bytes(const GgufFile& file, const TempDir& dir) {
  write_gguf(dir / "sample.gguf", file);
  return read_file(dir / "sample.gguf");
}

// read_gguf of these bytes; the UserError message, or "" when it parsed.
std::string read_error(const std::string& bytes, const TempDir& dir) {
  std::ofstream(dir / "hostile.gguf", std::ios::binary | std::ios::trunc) << bytes;
  try {
    read_gguf(dir / "hostile.gguf");
  } catch (const UserError& error) {
    return error.what();
  }
  return "";
}

template <typename T>
void patch(std::string& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}

// Where the offset field of a tensor's info lies: after its name, dimension count, dims and type.
size_t offset_field(const std::string& bytes, const std::string& name, size_t n_dims) {
  return bytes.find(name) + name.size() + 4 + 8 * n_dims + 4;
}

TEST(GgufFile, EveryValueAndTensorTypeRoundTrips) {
  TempDir dir;
  GgufFile file = sample_file();
  write_gguf(dir / "f.gguf", file);
  GgufFile back = read_gguf(dir / "f.gguf");
  ASSERT_EQ(back.metadata.size(), file.metadata.size());
  for (size_t i = 0; i < file.metadata.size(); ++i) {
    EXPECT_EQ(back.metadata[i].first, file.metadata[i].first);
    EXPECT_EQ(back.metadata[i].second.type(), file.metadata[i].second.type()) << file.metadata[i].first;
  }
  EXPECT_EQ(*gguf_uint(back, "a.u32", true), 4000000000u);
  EXPECT_EQ(std::get<int64_t>(back.find("a.i64")->value), -(int64_t{1} << 60));
  EXPECT_EQ(*gguf_float(back, "a.f64", true), 0.1);
  EXPECT_EQ(gguf_string_array(back, "a.strings"), (std::vector<std::string>{"x", "", "\xE2\x96\x81y"}));
  const auto& nested = std::get<GgufArray>(back.find("a.nested")->value);
  EXPECT_EQ(std::get<GgufArray>(nested.items.at(0).value).items.size(), 2u);
  ASSERT_EQ(back.tensors.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(back.tensors[i].name, file.tensors[i].name);
    EXPECT_EQ(back.tensors[i].dims, file.tensors[i].dims);
    EXPECT_EQ(back.tensors[i].type, file.tensors[i].type);
    EXPECT_EQ(back.tensors[i].data, file.tensors[i].data);
  }
}

// docs/gguf.md's layout, spelt out for a file with one key and one tensor.
TEST(GgufFile, LayoutFollowsTheSpecification) {
  TempDir dir;
  GgufFile file;
  file.set("k", {uint32_t{7}});
  file.tensors.push_back(
      encode_gguf_tensor("w", torch::arange(6, torch::kFloat).view({2, 3}), GgmlType::kF32));
  const std::string bytes = file_bytes(file, dir);
  std::string expected = "GGUF";
  auto put = [&expected](auto value) {
    expected.append(reinterpret_cast<const char*>(&value), sizeof(value));
  };
  put(uint32_t{3});                                                       // version
  put(uint64_t{1});                                                       // tensor count
  put(uint64_t{1});                                                       // metadata count
  put(uint64_t{1}), expected += "k", put(uint32_t{4}), put(uint32_t{7});  // key, UINT32, value
  put(uint64_t{1}), expected += "w", put(uint32_t{2}), put(uint64_t{3}), put(uint64_t{2});  // name, dims 3×2
  put(uint32_t{0}), put(uint64_t{0});                                                       // F32, offset 0
  expected.resize(96, '\0');             // 82 bytes padded to the 32-byte alignment
  for (float v = 0; v < 6; ++v) put(v);  // row-major: dims[0] = 3 is contiguous
  expected.resize(128, '\0');
  EXPECT_EQ(bytes, expected);
}

TEST(GgufFile, EveryTruncationIsAUserError) {
  TempDir dir;
  const std::string bytes = file_bytes(sample_file(), dir);
  const size_t data_end = bytes.size() - 32;  // the last tensor's padding may be cut without losing data
  for (size_t size = 0; size < data_end; ++size)
    EXPECT_NE(read_error(bytes.substr(0, size), dir), "") << "truncated to " << size << " bytes";
}

TEST(GgufFile, HostileHeadersAreUserErrors) {
  TempDir dir;
  const std::string good = file_bytes(sample_file(), dir);
  ASSERT_EQ(read_error(good, dir), "");
  auto with = [&good](auto mutate) {
    std::string bytes = good;
    mutate(bytes);
    return bytes;
  };
  EXPECT_THAT(read_error(with([](std::string& b) { b[0] = 'X'; }), dir), HasSubstr("not a GGUF file"));
  EXPECT_THAT(read_error(with([](std::string& b) { patch<uint32_t>(b, 4, 1); }), dir),
              HasSubstr("GGUF version 1 is not supported"));
  EXPECT_THAT(read_error(with([](std::string& b) { patch<uint32_t>(b, 4, 0x03000000); }), dir),
              HasSubstr("is not supported"));  // a big-endian v3 file
  EXPECT_THAT(read_error(with([](std::string& b) { patch<uint64_t>(b, 8, uint64_t{1} << 62); }), dir),
              HasSubstr("the tensor count is 4611686018427387904, more than"));
  EXPECT_THAT(read_error(with([](std::string& b) { patch<uint64_t>(b, 16, ~uint64_t{0}); }), dir),
              HasSubstr("the metadata count is"));
  // The first key's length, then the string array's count.
  EXPECT_THAT(read_error(with([](std::string& b) { patch<uint64_t>(b, 24, uint64_t{1} << 40); }), dir),
              HasSubstr("runs past the end of the file"));
  EXPECT_THAT(
      read_error(
          with([](std::string& b) { patch<uint64_t>(b, b.find("a.strings") + 17, uint64_t{1} << 40); }), dir),
      HasSubstr("an array length is 1099511627776, more than"));
  EXPECT_THAT(read_error(with([](std::string& b) { patch<uint32_t>(b, b.find("a.u8") + 4, 99); }), dir),
              HasSubstr("unknown metadata value type 99"));
  EXPECT_THAT(read_error(with([](std::string& b) { b[b.find("a.bool") + 10] = 2; }), dir),
              HasSubstr("a bool of value 2"));
  EXPECT_THAT(read_error(with([](std::string& b) { b.replace(b.find("a.i8"), 4, "a.u8"); }), dir),
              HasSubstr("metadata key 'a.u8' appears twice"));
}

TEST(GgufFile, HostileTensorInfosAreUserErrors) {
  TempDir dir;
  const std::string good = file_bytes(sample_file(), dir);
  auto with = [&good](auto mutate) {
    std::string bytes = good;
    mutate(bytes);
    return bytes;
  };
  const size_t f32_offset = offset_field(good, "t.f32", 2);
  EXPECT_THAT(
      read_error(with([&](std::string& b) { patch<uint64_t>(b, f32_offset, uint64_t{1} << 50); }), dir),
      HasSubstr("tensor 't.f32' data (60 bytes at offset 1125899906842624) runs past the end"));
  EXPECT_THAT(read_error(with([&](std::string& b) { patch<uint64_t>(b, f32_offset, 4); }), dir),
              HasSubstr("tensor 't.f32' data offset 4 is not a multiple of 32 (unaligned)"));
  EXPECT_THAT(read_error(with([&](std::string& b) { patch<uint32_t>(b, f32_offset - 4, 12); }), dir),
              HasSubstr("tensor 't.f32' has ggml type 12"));
  EXPECT_THAT(read_error(with([&](std::string& b) { patch<uint32_t>(b, b.find("t.f32") + 5, 5); }), dir),
              HasSubstr("tensor 't.f32' has 5 dimensions"));
  EXPECT_THAT(read_error(with([&](std::string& b) { patch<uint64_t>(b, b.find("t.f32") + 9, 0); }), dir),
              HasSubstr("tensor 't.f32' has dimension 0"));
  // 64 Q8_0 values are two blocks; 48 are not whole blocks.
  EXPECT_THAT(read_error(with([&](std::string& b) { patch<uint64_t>(b, b.find("t.q8_0") + 10, 48); }), dir),
              HasSubstr("not whole Q8_0 blocks"));
  EXPECT_THAT(read_error(with([&](std::string& b) { b.replace(b.find("t.f16"), 5, "t.f32"); }), dir),
              HasSubstr("tensor 't.f32' appears twice"));
}

TEST(GgufFile, DeeplyNestedArraysAreRefused) {
  TempDir dir;
  GgufFile file;
  GgufValue value = gguf_array(GgufValueType::kUint8, std::vector<uint8_t>{1});
  for (int depth = 0; depth < 8; ++depth) value = GgufValue{GgufArray{GgufValueType::kArray, {value}}};
  file.set("deep", value);
  EXPECT_THAT(read_error(file_bytes(file, dir), dir), HasSubstr("nested deeper than 4"));
}

TEST(GgufFile, TypedLookupsNameTheKey) {
  GgufFile file = sample_file();
  EXPECT_THAT([&] { gguf_uint(file, "missing.key", true); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("no key 'missing.key'")));
  EXPECT_THAT([&] { gguf_uint(file, "a.i8", true); },
              ::testing::ThrowsMessage<UserError>(
                  HasSubstr("'a.i8' has type int8, expected a non-negative integer")));
  EXPECT_THAT([&] { gguf_string(file, "a.f32", true); },
              ::testing::ThrowsMessage<UserError>(HasSubstr("'a.f32' has type float32, expected a string")));
  EXPECT_FALSE(gguf_bool(file, "missing.key", false).has_value());
  EXPECT_EQ(*gguf_uint(file, "a.u8", true), 200u);
}

}  // namespace
}  // namespace ropelm::testing
