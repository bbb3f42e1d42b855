// YaRN's interpolated RoPE frequencies and attention factor.
#include "model/yarn.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ropelm {
namespace {

// The (fractional) dimension index i whose frequency turns `rotations` times over the context L:
// L θ_i / 2π = r with θ_i = b^(−2i/d) gives i = d ln(L / (2π r)) / (2 ln b).
double dimension_turning(double rotations, const YarnOptions& o) {
  const double d = static_cast<double>(o.head_dim), L = static_cast<double>(o.original_context);
  return d * std::log(L / (2 * std::numbers::pi * rotations)) / (2 * std::log(o.theta));
}

}  // namespace

torch::Tensor yarn_inverse_frequencies(const YarnOptions& o) {
  const double d = static_cast<double>(o.head_dim);
  auto i = torch::arange(0, o.head_dim / 2, torch::kFloat64);
  auto theta = torch::pow(o.theta, -2.0 * i / d);  // θ_i
  // Below `low` (high frequencies, r > β) γ = 1; above `high` (r < α) γ = 0. Rounded outward and clamped as
  // the reference code does (its upper clamp is d − 1, past the last index d/2 − 1, so it never bites).
  const double low = std::max(std::floor(dimension_turning(o.beta, o)), 0.0);
  double high = std::min(std::ceil(dimension_turning(o.alpha, o)), d - 1);
  if (high == low) high += 0.001;  // one-dimension ramp: a step
  auto gamma = 1.0 - ((i - low) / (high - low)).clamp(0.0, 1.0);
  auto interpolated = theta / o.factor;
  // (1 − γ) θ/s + γ θ written so that s = 1 gives θ bit for bit.
  return interpolated + gamma * (theta - interpolated);
}

double yarn_attention_factor(double factor) {
  return 0.1 * std::log(factor) + 1.0;
}

}  // namespace ropelm
