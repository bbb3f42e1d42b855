// Hostile and corrupt safetensors files: each must be refused with a UserError naming the file and the
// problem.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "checkpoint/safetensors_header.h"
#include "checkpoint/safetensors_reader.h"
#include "checkpoint/safetensors_writer.h"
#include "test_helpers.h"
#include "util/error.h"

namespace ropelm {
namespace {

using testing::read_bytes;
using testing::safetensors_bytes;
using testing::TempDir;
using testing::u64_le;
using testing::write_bytes;

// Writes bytes to a file, opens it, and expects a UserError whose message names the file and contains
// `problem`.
void expect_rejected(const std::string& bytes, const std::string& problem) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "bad.safetensors";
  write_bytes(path, bytes);
  try {
    SafetensorsFile file(path);
    ADD_FAILURE() << "accepted a file that should fail with: " << problem;
  } catch (const UserError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  }
}

// One F32 tensor of 2 elements with the given header fields, and `data_bytes` bytes of data.
std::string one_tensor(const std::string& fields, size_t data_bytes = 8) {
  return safetensors_bytes(R"({"x":{)" + fields + "}}", std::string(data_bytes, '\0'));
}

TEST(SafetensorsReject, TooShortForTheLengthPrefix) {
  expect_rejected("", "too short");
  expect_rejected(std::string(7, '\0'), "too short");
}

TEST(SafetensorsReject, HeaderLengthBeyondTheFileOrLimit) {
  expect_rejected(u64_le(100) + "{}", "runs past the end of the file");
  expect_rejected(u64_le(~uint64_t{0}) + "{}", "exceeds the 100 MB limit");
  expect_rejected(u64_le(100'000'001) + "{}", "exceeds the 100 MB limit");
}

TEST(SafetensorsReject, HeaderThatIsNotAJsonObject) {
  expect_rejected(safetensors_bytes("not json", ""), "must be a JSON object");
  expect_rejected(safetensors_bytes("[1, 2]", ""), "must be a JSON object");
  expect_rejected(safetensors_bytes("{\"x\": ", ""), "not valid JSON");
  expect_rejected(safetensors_bytes("{} trailing", ""), "not valid JSON");
  expect_rejected(safetensors_bytes("{\"\xff\xfe\": 1}", ""), "not valid JSON");  // invalid UTF-8
  expect_rejected(safetensors_bytes(R"({"x": 1})", ""), "must be an object");
}

TEST(SafetensorsReject, UnknownOrUnsupportedDtype) {
  expect_rejected(one_tensor(R"("dtype":"F33","shape":[2],"data_offsets":[0,8])"), "unsupported dtype 'F33'");
  expect_rejected(one_tensor(R"("dtype":"U16","shape":[4],"data_offsets":[0,8])"), "unsupported dtype 'U16'");
  expect_rejected(one_tensor(R"("dtype":4,"shape":[2],"data_offsets":[0,8])"), "dtype must be a string");
}

TEST(SafetensorsReject, BadShapes) {
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[-2],"data_offsets":[0,8])"), "non-negative integer");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[2.0],"data_offsets":[0,8])"), "non-negative integer");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":"2","data_offsets":[0,8])"), "shape must be an array");
  expect_rejected(one_tensor(R"("dtype":"F32","data_offsets":[0,8])"), "shape is missing");
  // 2^32 * 2^32 elements overflow 64 bits; 2^62 F32 elements overflow the byte count.
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8])"),
                  "size overflows");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8])"),
                  "size overflows");
  expect_rejected(one_tensor(R"("dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,8])"),
                  "too large");
}

// nlohmann's dump() recurses; the error message must not dump a value nested 100,000 levels deep (that
// overflows the stack).
TEST(SafetensorsReject, DeeplyNestedValuesAreNamedNotDumped) {
  const std::string nested = std::string(100'000, '[') + std::string(100'000, ']');
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[)" + nested + R"(],"data_offsets":[0,8])"),
                  "got an array");
}

TEST(SafetensorsReject, ShapeAndDtypeDisagreeWithTheOffsets) {
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[3],"data_offsets":[0,8])"), "needs 12");
  expect_rejected(one_tensor(R"("dtype":"F16","shape":[2],"data_offsets":[0,8])"), "needs 4");
}

TEST(SafetensorsReject, MalformedOffsets) {
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[2],"data_offsets":[0])"), "data_offsets must be");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[2],"data_offsets":[8,0])"), "begin is after end");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[2],"data_offsets":[-8,0])"), "non-negative integer");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1)"),
                  "unexpected key");
}

TEST(SafetensorsReject, OffsetsOutOfRangeOverlappingOrWithGaps) {
  const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":)";
  const std::string b = R"("b":{"dtype":"F32","shape":[2],"data_offsets":)";
  auto file = [&](const std::string& a_offsets, const std::string& b_offsets, size_t data_bytes) {
    return safetensors_bytes("{" + a + a_offsets + "}," + b + b_offsets + "}}",
                             std::string(data_bytes, '\0'));
  };
  expect_rejected(file("[0,8]", "[8,16]", 12), "runs past the data region");
  expect_rejected(file("[0,8]", "[4,12]", 12), "overlaps the previous tensor");
  expect_rejected(file("[0,8]", "[0,8]", 8), "overlaps the previous tensor");
  expect_rejected(file("[0,8]", "[12,20]", 20), "leaves a gap");
  expect_rejected(file("[8,16]", "[16,24]", 24), "leaves a gap after offset 0");
  expect_rejected(file("[0,8]", "[8,16]", 20), "trailing bytes");
  expect_rejected(one_tensor(R"("dtype":"F32","shape":[2],"data_offsets":[18446744073709551608,0])"),
                  "begin is after end");
}

TEST(SafetensorsReject, DuplicateNamesAndBadMetadata) {
  const std::string x = R"("x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  expect_rejected(safetensors_bytes("{" + x + "," + x + "}", std::string(4, '\0')), "'x' appears twice");
  expect_rejected(safetensors_bytes(R"({"__metadata__":{"a":1}})", ""), "must be a string");
  expect_rejected(safetensors_bytes(R"({"__metadata__":[]})", ""), "__metadata__ must be an object");
}

// Every proper prefix of a valid file (a file cut off anywhere) is refused.
TEST(SafetensorsReject, EveryTruncationIsRefused) {
  TempDir dir;
  save_safetensors(dir.path() / "ok.safetensors", {{"w", torch::randn({3, 2})}, {"b", torch::zeros({2})}});
  std::string bytes = read_bytes(dir.path() / "ok.safetensors");
  for (size_t size = 0; size < bytes.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_THROW(parse_safetensors_header(std::string_view(bytes).substr(0, size), "cut"), UserError);
  }
}

// Random byte corruption must yield either a consistent header or a UserError, never a crash (run under
// ASan).
TEST(SafetensorsReject, CorruptedBytesNeverCrash) {
  TempDir dir;
  save_safetensors(dir.path() / "ok.safetensors",
                   {{"w", torch::randn({3, 2})}, {"b", torch::zeros({2}, torch::kBFloat16)}}, {{"k", "v"}});
  const std::string original = read_bytes(dir.path() / "ok.safetensors");
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = original;
    for (int flips = 1 + trial % 3; flips > 0; --flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
    }
    try {
      SafetensorsHeader header = parse_safetensors_header(bytes, "fuzz");
      for (const auto& entry : header.tensors) ASSERT_LE(header.data_start + entry.end, bytes.size());
    } catch (const UserError&) {
    }
  }
}

}  // namespace
}  // namespace ropelm
