// The peak table and the MFU arithmetic.
#include "train/mfu.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cctype>

namespace ropelm {
namespace {

// Dense bf16 peaks from NVIDIA's data sheets. First match wins, so a name that contains another's key
// (A100 ⊃ A10, L40S ⊃ L40 ⊃ L4, H100 PCIe ⊃ H100) comes first.
struct PeakEntry {
  std::string_view key;  // matched case-insensitively anywhere in the name
  double tflops;
};
constexpr PeakEntry kPeaks[] = {
    {"H100 PCIe", 756}, {"H100 NVL", 835}, {"H100", 989}, {"H200", 989}, {"H800", 989}, {"B200", 2250},
    {"A100", 312},      {"A800", 312},     {"L40S", 362}, {"L40", 181},  {"L4", 121},   {"A10", 125},
};

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::optional<double> gpu_peak_bf16_flops(std::string_view device_name) {
  const std::string name = lowercase(device_name);
  for (const PeakEntry& entry : kPeaks) {
    if (name.find(lowercase(entry.key)) != std::string::npos) return entry.tflops * 1e12;
  }
  return std::nullopt;
}

MfuMeter::MfuMeter(const std::string& device_name, double flops_per_token, int world_size)
    : device_name_(device_name),
      on_gpu_(!device_name.empty()),
      peak_(on_gpu_ ? gpu_peak_bf16_flops(device_name) : std::nullopt),
      flops_per_token_(flops_per_token),
      world_size_(world_size) {}

std::optional<double> MfuMeter::utilisation(double tokens_per_s) const {
  if (!peak_) return std::nullopt;
  return flops_per_token_ * tokens_per_s / (*peak_ * world_size_);
}

std::string MfuMeter::describe() const {
  if (!on_gpu_) return "MFU: not reported on the CPU";
  if (!peak_)
    return fmt::format("MFU: unknown ('{}' is not in the peak table of src/train/mfu.cpp)", device_name_);
  return fmt::format("MFU against {} × {}'s dense bf16 peak of {:.0f} TFLOP/s", world_size_, device_name_,
                     *peak_ / 1e12);
}

}  // namespace ropelm
