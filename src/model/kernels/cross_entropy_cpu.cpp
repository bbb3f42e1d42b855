// The row sweep on GCC vector extensions (16 fp32 lanes: one AVX-512 register, two AVX2 ones), compiled once
// per instruction set and chosen at load time (target_clones), parallel over rows through LibTorch's OpenMP
// threads (at::parallel_for; this file is compiled with -fopenmp, see CMakeLists.txt).
#include "model/kernels/cross_entropy_cpu.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>
#include <ATen/record_function.h>
#include <c10/util/BFloat16.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace ropelm {
namespace {

constexpr int kLanes = 16;
typedef float VFloat __attribute__((vector_size(kLanes * sizeof(float))));
typedef int32_t VInt __attribute__((vector_size(kLanes * sizeof(int32_t))));
typedef uint32_t VBits __attribute__((vector_size(kLanes * sizeof(uint32_t))));
typedef uint16_t VBf16 __attribute__((vector_size(kLanes * sizeof(uint16_t))));

inline VFloat splat(float x) {
  return VFloat{} + x;
}

// bf16 is the upper half of an fp32: widening is exact.
inline VFloat load_bf16(const uint16_t* p) {
  VBf16 h;
  std::memcpy(&h, p, sizeof h);
  return reinterpret_cast<VFloat>(__builtin_convertvector(h, VBits) << 16);
}

// Round to nearest even (NaN stays NaN, overflow goes to infinity), as c10::BFloat16's conversion.
inline void store_bf16(uint16_t* p, VFloat x) {
  VBits bits = reinterpret_cast<VBits>(x);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  VBf16 h = __builtin_convertvector(bits >> 16, VBf16);
  std::memcpy(p, &h, sizeof h);
}

// e^x for x ≤ 0 (logits less their row maximum), within 2 ulp of fp32: Cephes' expf. x = n ln2 + r with
// |r| ≤ ln2 / 2, e^r by its degree-7 Taylor-like polynomial, 2^n put into the exponent bits. Below −87
// (e^x < 1.7e-38, near fp32's smallest normal) the result is that floor instead of a denormal or 0: it adds
// at most V · 1.7e-38 to a sum of at least 1.
inline VFloat exp_nonpositive(VFloat x) {
  x = x < splat(-87.0f) ? splat(-87.0f) : x;
  const VFloat magic = splat(12582912.0f);  // 1.5 · 2^23: adding and subtracting it rounds to an integer
  VFloat n = (x * splat(1.44269504088896341f) + magic) - magic;
  VFloat r = x - n * splat(0.693359375f) - n * splat(-2.12194440e-4f);
  VFloat p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  p = p * r * r + r + splat(1.0f);
  VInt exponent = (__builtin_convertvector(n, VInt) + 127) << 23;
  return p * reinterpret_cast<VFloat>(exponent);
}

inline float lane_max(VFloat v) {
  float m = v[0];
  for (int i = 1; i < kLanes; ++i) m = std::max(m, v[i]);
  return m;
}

inline double lane_sum(VFloat v) {
  double s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// One row: returns log-sum-exp; with `gradient`, writes softmax there (bf16). `buffer` holds V floats.
__attribute__((target_clones("avx512f", "avx2", "default"))) double sweep_row(const uint16_t* row, int64_t V,
                                                                              float* buffer,
                                                                              uint16_t* gradient) {
  const int64_t body = V / kLanes * kLanes;
  // A row tail shorter than a vector goes through the same lanes, padded with the lowest float.
  uint16_t tail_in[kLanes];
  const uint16_t lowest = 0xFF7F;  // bf16 −3.39e38
  for (int i = 0; i < kLanes; ++i) tail_in[i] = body + i < V ? row[body + i] : lowest;

  VFloat max = splat(-std::numeric_limits<float>::infinity());
  for (int64_t j = 0; j < body; j += kLanes) {
    VFloat x = load_bf16(row + j);
    max = x > max ? x : max;
  }
  VFloat x_tail = load_bf16(tail_in);
  max = x_tail > max ? x_tail : max;
  const float row_max = lane_max(max);

  VFloat sum{};
  for (int64_t j = 0; j < body; j += kLanes) {
    VFloat e = exp_nonpositive(load_bf16(row + j) - row_max);
    std::memcpy(buffer + j, &e, sizeof e);
    sum += e;
  }
  VFloat e_tail = exp_nonpositive(x_tail - row_max);
  for (int i = 0; i < kLanes; ++i) {
    if (body + i < V) {
      sum[i] += e_tail[i];
    }
  }
  const double total = lane_sum(sum);
  if (gradient != nullptr) {
    const VFloat inverse = splat(static_cast<float>(1.0 / total));
    for (int64_t j = 0; j < body; j += kLanes) {
      VFloat e;
      std::memcpy(&e, buffer + j, sizeof e);
      store_bf16(gradient + j, e * inverse);
    }
    uint16_t tail_out[kLanes];
    store_bf16(tail_out, e_tail * inverse);
    for (int64_t j = body; j < V; ++j) gradient[j] = tail_out[j - body];
  }
  return row_max + std::log(total);
}

uint16_t to_bf16_bits(float x) {
  return c10::BFloat16(x).x;
}

float from_bf16_bits(uint16_t bits) {
  return c10::BFloat16(bits, c10::BFloat16::from_bits());
}

}  // namespace

RowCrossEntropy cross_entropy_bf16_cpu(const at::Tensor& logits_in, const at::Tensor& targets_in,
                                       int64_t ignore_index, bool with_gradient) {
  RECORD_FUNCTION("ropelm::cross_entropy_bf16_cpu", std::vector<c10::IValue>({logits_in}));
  TORCH_CHECK(logits_in.dim() == 2 && logits_in.scalar_type() == at::kBFloat16 && logits_in.is_cpu(),
              "cross_entropy_bf16_cpu: logits must be (N, V) bf16 on the CPU");
  const at::Tensor logits = logits_in.contiguous();
  const at::Tensor targets = targets_in.contiguous();
  const int64_t N = logits.size(0), V = logits.size(1);
  TORCH_CHECK(targets.numel() == N && targets.scalar_type() == at::kLong, "cross_entropy_bf16_cpu: targets");
  RowCrossEntropy result;
  result.nll = at::empty({N}, logits.options().dtype(at::kFloat));
  if (with_gradient) result.gradient = at::empty({N, V}, logits.options());
  const uint16_t* in = reinterpret_cast<const uint16_t*>(logits.data_ptr<at::BFloat16>());
  uint16_t* out =
      with_gradient ? reinterpret_cast<uint16_t*>(result.gradient.data_ptr<at::BFloat16>()) : nullptr;
  const int64_t* target = targets.data_ptr<int64_t>();
  float* nll = result.nll.data_ptr<float>();
  at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> buffer(V);
    for (int64_t i = begin; i < end; ++i) {
      uint16_t* gradient_row = out ? out + i * V : nullptr;
      const int64_t t = target[i];
      if (t == ignore_index) {
        nll[i] = 0;
        if (gradient_row) std::memset(gradient_row, 0, V * sizeof(uint16_t));
        continue;
      }
      TORCH_CHECK(t >= 0 && t < V, "cross_entropy_bf16_cpu: target ", t, " out of range [0, ", V, ")");
      const double lse = sweep_row(in + i * V, V, buffer.data(), gradient_row);
      const float picked = from_bf16_bits(in[i * V + t]);
      nll[i] = static_cast<float>(lse - picked);
      // p − 1 at the target, from p in fp64 (1 − p from the bf16 p would lose a small p's digits).
      if (gradient_row) gradient_row[t] = to_bf16_bits(static_cast<float>(std::exp(picked - lse) - 1.0));
    }
  });
  return result;
}

}  // namespace ropelm
