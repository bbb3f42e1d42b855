// The auto rule and its facts.
#include "run/precision.h"

#include <ATen/Context.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "run/device.h"
#include "util/error.h"

namespace ropelm {
namespace {

// A setting as the user writes it: "train.precision = bf16" for a config key, "--precision bf16" for a flag.
std::string spelled(std::string_view setting, std::string_view value) {
  return fmt::format("{}{}{}", setting, setting.starts_with("--") ? " " : " = ", value);
}

}  // namespace

Bf16Facts device_bf16_facts(torch::Device device) {
  Bf16Facts facts;
  if (device.is_cuda()) {
    const int ordinal = device.has_index() ? device.index() : 0;
    facts.cuda = true;
    facts.cuda_name = cuda_device_name(ordinal);
    std::tie(facts.cuda_major, facts.cuda_minor) = cuda_compute_capability(ordinal);
    return facts;
  }
  facts.cpu = cpu_features();
  facts.onednn = at::hasMKLDNN();
  return facts;
}

ResolvedPrecision resolve_precision(Precision requested, const Bf16Facts& facts, std::string_view setting) {
  if (requested == Precision::kFp32) return {Precision::kFp32, "fp32 as set"};
  const bool automatic = requested == Precision::kAuto;
  if (facts.cuda) {
    const std::string capability = fmt::format("{}.{}", facts.cuda_major, facts.cuda_minor);
    const std::string name = facts.cuda_name.empty() ? "CUDA device" : facts.cuda_name;
    if (!automatic) {
      return {Precision::kBf16, "bf16 as set, on " + name + " (compute capability " + capability + ")"};
    }
    if (facts.cuda_major >= 8)
      return {Precision::kBf16, "auto: " + name + " has compute capability " + capability + " >= 8.0"};
    return {Precision::kFp32,
            "auto: " + name + " has compute capability " + capability + " < 8.0 (no bf16 tensor cores)"};
  }
  const std::string cpu = facts.cpu.model_name.empty() ? "this CPU" : "CPU " + facts.cpu.model_name;
  if (!facts.cpu.bf16()) {
    if (automatic) return {Precision::kFp32, "auto: " + cpu + " has " + facts.cpu.describe() + " flag"};
    throw UserError(fmt::format(
        "{} needs a CPU with AMX-BF16 or AVX512-BF16, and {} has neither (no amx_bf16 or avx512_bf16 flag in "
        "/proc/cpuinfo): use {} or {}",
        spelled(setting, "bf16"), cpu, spelled(setting, "fp32"), spelled(setting, "auto")));
  }
  if (!facts.onednn) {
    if (automatic) return {Precision::kFp32, "auto: this LibTorch has no oneDNN for bf16 matrix products"};
    throw UserError(fmt::format(
        "{} on the CPU needs a LibTorch built with oneDNN (MKLDNN), and this one has none: use {} or {}",
        spelled(setting, "bf16"), spelled(setting, "fp32"), spelled(setting, "auto")));
  }
  return {Precision::kBf16, (automatic ? "auto: " : "bf16 as set: ") + cpu + " has " + facts.cpu.describe()};
}

ResolvedPrecision inference_precision(std::optional<Precision> flag, std::string_view recorded,
                                      const Bf16Facts& facts) {
  if (flag) return resolve_precision(*flag, facts, "--precision");
  if (recorded != choice_name(Precision::kBf16)) return {Precision::kFp32, "the checkpoint's"};
  ResolvedPrecision automatic = resolve_precision(Precision::kAuto, facts, "--precision");
  if (automatic.precision == Precision::kBf16) return {Precision::kBf16, "the checkpoint's"};
  return {Precision::kFp32, "the checkpoint trained in bf16, but here " + automatic.reason};
}

void log_inference_precision(const ResolvedPrecision& resolved) {
  const bool plain = resolved.precision == Precision::kFp32 && resolved.reason == "the checkpoint's";
  spdlog::log(plain ? spdlog::level::debug : spdlog::level::info, "precision {} ({})",
              choice_name(resolved.precision), resolved.reason);
}

}  // namespace ropelm
