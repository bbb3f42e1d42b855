// Feature flags from /proc/cpuinfo (Linux names them as the CPUID bits: amx_bf16, avx512_bf16).
#include "model/cpu_features.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ropelm {
namespace {

// The value of the first "key : value" line whose key is `key`, or "" when there is none.
std::string first_value(std::string_view text, std::string_view key) {
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name != key) continue;
    const size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

bool has_word(const std::string& words, std::string_view word) {
  std::istringstream stream(words);
  for (std::string w; stream >> w;)
    if (w == word) return true;
  return false;
}

}  // namespace

std::string CpuFeatures::describe() const {
  if (amx_bf16 && avx512_bf16) return "amx_bf16 avx512_bf16";
  if (amx_bf16) return "amx_bf16";
  if (avx512_bf16) return "avx512_bf16";
  return "no amx_bf16 or avx512_bf16";
}

CpuFeatures cpu_features_from_cpuinfo(std::string_view cpuinfo) {
  CpuFeatures features;
  features.model_name = first_value(cpuinfo, "model name");
  const std::string flags = first_value(cpuinfo, "flags");
  features.amx_bf16 = has_word(flags, "amx_bf16");
  features.avx512_bf16 = has_word(flags, "avx512_bf16");
  return features;
}

CpuFeatures cpu_features() {
  std::ifstream file("/proc/cpuinfo");
  std::stringstream text;
  text << file.rdbuf();
  CpuFeatures features = cpu_features_from_cpuinfo(text.str());
  if (const char* forced = std::getenv("ROPELM_CPU_FLAGS")) {
    CpuFeatures fake = cpu_features_from_cpuinfo(std::string("flags : ") + forced);
    features.amx_bf16 = fake.amx_bf16;
    features.avx512_bf16 = fake.avx512_bf16;
  }
  return features;
}

}  // namespace ropelm
