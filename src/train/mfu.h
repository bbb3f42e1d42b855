// Model FLOPs utilisation (PaLM's MFU): the training FLOP/s the model's arithmetic accounts for, over the
// dense bf16 peak of the GPUs that ran it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ropelm {

// The dense (no sparsity) bf16 tensor-core peak in FLOP/s of a GPU named as CUDA names it, e.g.
// "NVIDIA H100 80GB HBM3" (SXM: 989e12) or "NVIDIA H100 PCIe" (756e12); nullopt for a name not in the table.
std::optional<double> gpu_peak_bf16_flops(std::string_view device_name);

// How a run's MFU is reported: on CUDA with a known GPU, a fraction; on CUDA with an unknown GPU, "unknown";
// on the CPU, nothing (there is no meaningful tensor-core peak).
class MfuMeter {
 public:
  // device_name: CUDA's name of the GPU each rank drives ("" on the CPU). world_size GPUs share the work.
  MfuMeter(const std::string& device_name, double flops_per_token, int world_size);

  bool reported() const { return on_gpu_; }
  // The fraction of the peak at this global tokens/s; nullopt when the GPU's peak is unknown.
  std::optional<double> utilisation(double tokens_per_s) const;
  // One line for the start of a run: which peak MFU is measured against, or why it is unknown.
  std::string describe() const;

 private:
  std::string device_name_;
  bool on_gpu_;
  std::optional<double> peak_;  // per GPU
  double flops_per_token_;
  int world_size_;
};

}  // namespace ropelm
