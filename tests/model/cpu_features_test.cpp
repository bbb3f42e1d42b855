// cpu_features_from_cpuinfo against /proc/cpuinfo texts of real machines (abridged), and the
// ROPELM_CPU_FLAGS seam as the process sees it.
#include <gtest/gtest.h>

#include <cstdlib>

#include "model/cpu_features.h"

namespace ropelm {
namespace {

// The first processor of an Intel Xeon with AMX (Sapphire Rapids), abridged; a second processor follows.
const char* kXeon =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
    "flags\t\t: fpu vme avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8\n\n"
    "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu\n";
const char* kEpyc =
    "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f avx512bw avx512_bf16 avx512_vnni\n";
const char* kHaswell =
    "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v3\nflags\t\t: fpu avx avx2 fma\n";

TEST(CpuFeatures, ReadsTheFirstProcessorsModelAndBf16Flags) {
  CpuFeatures xeon = cpu_features_from_cpuinfo(kXeon);
  EXPECT_EQ(xeon.model_name, "Intel(R) Xeon(R) Platinum 8480+");
  EXPECT_TRUE(xeon.amx_bf16);
  EXPECT_TRUE(xeon.avx512_bf16);
  EXPECT_EQ(xeon.describe(), "amx_bf16 avx512_bf16");

  CpuFeatures epyc = cpu_features_from_cpuinfo(kEpyc);
  EXPECT_EQ(epyc.model_name, "AMD EPYC");
  EXPECT_FALSE(epyc.amx_bf16);
  EXPECT_TRUE(epyc.avx512_bf16);
  EXPECT_TRUE(epyc.bf16());

  CpuFeatures haswell = cpu_features_from_cpuinfo(kHaswell);
  EXPECT_FALSE(haswell.bf16());
  EXPECT_EQ(haswell.describe(), "no amx_bf16 or avx512_bf16");
}

TEST(CpuFeatures, FlagsAreWholeWords) {
  // amx_bf16x or xavx512_bf16 are other flags; only the exact names count.
  CpuFeatures other = cpu_features_from_cpuinfo("flags : amx_bf16x xavx512_bf16 avx512_bf16_extra\n");
  EXPECT_FALSE(other.bf16());
  EXPECT_TRUE(cpu_features_from_cpuinfo("").model_name.empty());
}

TEST(CpuFeatures, EnvironmentSeamReplacesTheFlags) {
  ::setenv("ROPELM_CPU_FLAGS", "fpu avx2", 1);
  CpuFeatures features = cpu_features();
  ::unsetenv("ROPELM_CPU_FLAGS");
  EXPECT_FALSE(features.bf16());
}

}  // namespace
}  // namespace ropelm
