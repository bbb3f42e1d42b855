// The bf16 peak table against CUDA's names of real GPUs, and the MFU arithmetic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "run/device.h"
#include "train/mfu.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;

TEST(GpuPeak, CudaNamesOfKnownGpus) {
  // Names as cudaGetDeviceProperties / nvidia-smi report them; peaks from NVIDIA's data sheets, dense bf16.
  const std::pair<const char*, double> known[] = {
      {"NVIDIA H100 80GB HBM3", 989},
      {"NVIDIA H100 PCIe", 756},
      {"NVIDIA H100 NVL", 835},
      {"NVIDIA H200", 989},
      {"NVIDIA GH200 480GB", 989},
      {"NVIDIA A100-SXM4-80GB", 312},
      {"NVIDIA A100-PCIE-40GB", 312},
      {"NVIDIA A100 80GB PCIe", 312},
      {"NVIDIA A10", 125},
      {"NVIDIA L4", 121},
      {"NVIDIA L40S", 362},
      {"NVIDIA L40", 181},
      {"NVIDIA B200", 2250},
  };
  for (const auto& [name, tflops] : known) {
    ASSERT_TRUE(gpu_peak_bf16_flops(name).has_value()) << name;
    EXPECT_DOUBLE_EQ(*gpu_peak_bf16_flops(name), tflops * 1e12) << name;
  }
}

TEST(GpuPeak, UnknownGpusHaveNoPeak) {
  EXPECT_FALSE(gpu_peak_bf16_flops("Tesla V100-SXM2-16GB").has_value());  // no bf16 tensor cores
  EXPECT_FALSE(gpu_peak_bf16_flops("NVIDIA GeForce RTX 4090").has_value());
  EXPECT_FALSE(gpu_peak_bf16_flops("").has_value());
}

TEST(MfuMeter, FractionOfThePeakOfAllRanks) {
  // 6e8 FLOPs a token at 1e6 tokens/s over 2 H100 SXM: 6e14 / (2 × 989e12).
  MfuMeter meter("NVIDIA H100 80GB HBM3", 6e8, 2);
  ASSERT_TRUE(meter.reported());
  ASSERT_TRUE(meter.utilisation(1e6).has_value());
  EXPECT_NEAR(*meter.utilisation(1e6), 6e14 / (2 * 989e12), 1e-12);
  EXPECT_THAT(meter.describe(), HasSubstr("989 TFLOP/s"));
}

TEST(MfuMeter, UnknownGpuIsReportedAsUnknown) {
  MfuMeter meter("NVIDIA GeForce RTX 4090", 6e8, 1);
  EXPECT_TRUE(meter.reported());
  EXPECT_FALSE(meter.utilisation(1e6).has_value());
  EXPECT_THAT(meter.describe(), HasSubstr("unknown"));
}

TEST(MfuMeter, CpuReportsNothing) {
  MfuMeter meter("", 6e8, 1);
  EXPECT_FALSE(meter.reported());
  EXPECT_FALSE(meter.utilisation(1e6).has_value());
}

TEST(CudaDeviceName, NamesTheGpuWhenThereIsOne) {
  if (torch::cuda::is_available()) {
    EXPECT_FALSE(cuda_device_name(0).empty());
  } else {
    EXPECT_EQ(cuda_device_name(0), "");  // no driver, or no device behind it
  }
}

}  // namespace
}  // namespace ropelm
