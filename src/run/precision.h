// The arithmetic of training, evaluation and generation: fp32, or bf16 mixed precision (bf16 matrix products,
// fp32 master weights, Adam moments, loss and norm statistics), and what train.precision = auto picks per
// device.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/choices.h"
#include "model/cpu_features.h"

namespace ropelm {

// What decides whether a device does bf16 fast: gathered by device_bf16_facts, or made up by tests.
struct Bf16Facts {
  bool cuda = false;
  std::string cuda_name;  // CUDA only
  int cuda_major = 0;     // compute capability; 0 when the driver did not say
  int cuda_minor = 0;
  CpuFeatures cpu;     // CPU only
  bool onednn = true;  // this LibTorch has oneDNN, which runs LibTorch's CPU bf16 matrix products
};
Bf16Facts device_bf16_facts(torch::Device device);

struct ResolvedPrecision {
  Precision precision = Precision::kFp32;  // kFp32 or kBf16, never kAuto
  std::string reason;  // one clause for the log, e.g. "auto: CPU AMD EPYC has avx512_bf16"
};

// Resolves `requested` for a device. auto = bf16 on CUDA of compute capability ≥ 8.0 (Ampere) and on a CPU
// with AMX-BF16 or AVX512-BF16 (and a LibTorch with oneDNN), fp32 elsewhere. bf16 asked for on a CPU without
// them throws UserError naming the missing flags and the fix; `setting` names where the request came from in
// that message ("train.precision", "--precision").
ResolvedPrecision resolve_precision(Precision requested, const Bf16Facts& facts, std::string_view setting);

// The precision of eval and generate: `flag` (--precision) when given, else the one the checkpoint was
// trained in (`recorded`: "fp32", "bf16", or "" for checkpoints from before it was recorded, which trained in
// fp32 on the CPU). A recorded bf16 on a device without fast bf16 falls back to fp32 (the reason says so); an
// explicit --precision bf16 there is resolve_precision's UserError.
ResolvedPrecision inference_precision(std::optional<Precision> flag, std::string_view recorded,
                                      const Bf16Facts& facts);

// Logs what inference_precision chose: at info level when it is bf16 or a fallback, at debug level for a
// checkpoint's own fp32, so that a plain `eval` or `generate` prints no extra line.
void log_inference_precision(const ResolvedPrecision& resolved);

}  // namespace ropelm
