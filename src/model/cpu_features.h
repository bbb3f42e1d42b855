// The CPU's bf16 matrix instructions (AMX-BF16, AVX512-BF16), read from the kernel's feature flags.
#pragma once

#include <string>
#include <string_view>

namespace ropelm {

struct CpuFeatures {
  std::string model_name;    // /proc/cpuinfo's "model name", e.g. "AMD EPYC"; "" when unknown
  bool amx_bf16 = false;     // Intel AMX tiles with bf16 (Sapphire Rapids and later)
  bool avx512_bf16 = false;  // AVX512-BF16 dot products (Cooper Lake, Sapphire Rapids, AMD Zen 4 and later)
  bool bf16() const { return amx_bf16 || avx512_bf16; }
  // "amx_bf16 avx512_bf16", "avx512_bf16" or "no amx_bf16 or avx512_bf16": the flags as the kernel names
  // them.
  std::string describe() const;
};

// Parses the text of /proc/cpuinfo: the first processor's "model name" and "flags" lines.
CpuFeatures cpu_features_from_cpuinfo(std::string_view cpuinfo);

// This machine's features. The environment variable ROPELM_CPU_FLAGS, when set, replaces the
// flags line (e.g. ROPELM_CPU_FLAGS="avx2 fma" pretends a CPU without bf16): the test seam for the
// "unsupported" branch on machines that have bf16.
CpuFeatures cpu_features();

}  // namespace ropelm
