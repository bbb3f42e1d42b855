// resolve_precision's rule with made-up devices: auto per CUDA capability and CPU flags, bf16 refused on a
// CPU without bf16 units (one line naming the flags and the fix), fp32 always as set.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run/precision.h"
#include "util/error.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;

Bf16Facts cpu(bool amx, bool avx512, bool onednn = true) {
  Bf16Facts facts;
  facts.cpu.model_name = "Test CPU";
  facts.cpu.amx_bf16 = amx;
  facts.cpu.avx512_bf16 = avx512;
  facts.onednn = onednn;
  return facts;
}

Bf16Facts gpu(int major, int minor) {
  Bf16Facts facts;
  facts.cuda = true;
  facts.cuda_name = "Test GPU";
  facts.cuda_major = major;
  facts.cuda_minor = minor;
  return facts;
}

Precision resolved(Precision requested, const Bf16Facts& facts) {
  return resolve_precision(requested, facts, "train.precision").precision;
}

TEST(Precision, AutoIsBf16OnCpusWithAmxOrAvx512Bf16) {
  EXPECT_EQ(resolved(Precision::kAuto, cpu(true, true)), Precision::kBf16);
  EXPECT_EQ(resolved(Precision::kAuto, cpu(true, false)), Precision::kBf16);
  EXPECT_EQ(resolved(Precision::kAuto, cpu(false, true)), Precision::kBf16);
  EXPECT_EQ(resolved(Precision::kAuto, cpu(false, false)), Precision::kFp32);
  EXPECT_EQ(resolved(Precision::kAuto, cpu(false, true, /*onednn=*/false)), Precision::kFp32);
  ResolvedPrecision why = resolve_precision(Precision::kAuto, cpu(false, true), "train.precision");
  EXPECT_THAT(why.reason, HasSubstr("Test CPU has avx512_bf16"));
  EXPECT_THAT(resolve_precision(Precision::kAuto, cpu(false, false), "train.precision").reason,
              HasSubstr("no amx_bf16 or avx512_bf16"));
}

TEST(Precision, AutoIsBf16OnCudaFromComputeCapability8) {
  EXPECT_EQ(resolved(Precision::kAuto, gpu(8, 0)), Precision::kBf16);
  EXPECT_EQ(resolved(Precision::kAuto, gpu(9, 0)), Precision::kBf16);
  EXPECT_EQ(resolved(Precision::kAuto, gpu(7, 5)), Precision::kFp32);
  EXPECT_EQ(resolved(Precision::kAuto, gpu(0, 0)), Precision::kFp32);  // the driver did not say
  EXPECT_THAT(resolve_precision(Precision::kAuto, gpu(8, 6), "train.precision").reason,
              HasSubstr("8.6 >= 8.0"));
}

TEST(Precision, ExplicitChoicesAreKept) {
  for (const Bf16Facts& facts : {cpu(false, false), cpu(true, true), gpu(7, 0), gpu(9, 0)})
    EXPECT_EQ(resolved(Precision::kFp32, facts), Precision::kFp32);
  EXPECT_EQ(resolved(Precision::kBf16, cpu(false, true)), Precision::kBf16);
  EXPECT_EQ(resolved(Precision::kBf16, gpu(7, 0)),
            Precision::kBf16);  // CUDA's bf16 as before: the user asked
}

TEST(Precision, Bf16OnACpuWithoutItIsAUserErrorNamingTheFlagsAndTheFix) {
  try {
    resolve_precision(Precision::kBf16, cpu(false, false), "train.precision");
    FAIL() << "bf16 without bf16 units was accepted";
  } catch (const UserError& error) {
    std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("train.precision = bf16"));
    EXPECT_THAT(message, HasSubstr("amx_bf16"));
    EXPECT_THAT(message, HasSubstr("avx512_bf16"));
    EXPECT_THAT(message, HasSubstr("train.precision = fp32 or train.precision = auto"));
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  try {
    resolve_precision(Precision::kBf16, cpu(false, false), "--precision");
    FAIL();
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), HasSubstr("use --precision fp32 or --precision auto"));
  }
  EXPECT_THROW(resolve_precision(Precision::kBf16, cpu(false, true, /*onednn=*/false), "train.precision"),
               UserError);
}

TEST(Precision, EvalAndGenerateDefaultToTheCheckpointsPrecision) {
  EXPECT_EQ(inference_precision(std::nullopt, "bf16", cpu(false, true)).precision, Precision::kBf16);
  EXPECT_EQ(inference_precision(std::nullopt, "fp32", cpu(true, true)).precision, Precision::kFp32);
  EXPECT_EQ(inference_precision(std::nullopt, "", cpu(true, true)).precision,
            Precision::kFp32);  // unrecorded
  ResolvedPrecision fallback = inference_precision(std::nullopt, "bf16", cpu(false, false));
  EXPECT_EQ(fallback.precision, Precision::kFp32);  // the checkpoint's bf16 where this CPU has none
  EXPECT_THAT(fallback.reason, HasSubstr("the checkpoint trained in bf16, but here auto"));
  EXPECT_EQ(inference_precision(Precision::kBf16, "fp32", cpu(false, true)).precision, Precision::kBf16);
  EXPECT_THROW(inference_precision(Precision::kBf16, "bf16", cpu(false, false)), UserError);
}

}  // namespace
}  // namespace ropelm
