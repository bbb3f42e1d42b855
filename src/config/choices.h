// Every closed set of choices in the config, as enums, with the names TOML files use for them. Loading turns
// a name into its value once (config/load.cpp); code switches on the values without a default, so that the
// compiler flags a switch that misses a newly added one (-Wswitch).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ropelm {

enum class MlpKind { kSwiGLU, kGELU };
enum class NormKind { kRMSNorm, kLayerNorm };
enum class PositionKind { kRope, kSinusoidal, kLearned, kNone, kAlibi };
enum class RopeStyle { kHalf, kInterleaved };  // rotate-half (Llama/HF) | adjacent pairs (RoFormer/Meta)
enum class RopeScaling { kNone, kLinear, kNTK, kYarn };
enum class AttentionKind { kAuto, kSdpa, kExplicit };
enum class TokenizerKind { kWordPiece, kSentencePiece, kGpt2, kBytes };
enum class LrSchedule { kCosine, kLinear, kConstant, kWsd };
enum class Precision { kFp32, kBf16, kAuto };  // kAuto: per device (run/precision.h), never what runs
enum class BackendKind { kAuto, kGloo, kNccl };

// The TOML name of every value of an enum, in the order the documentation lists them.
template <typename Enum>
struct ChoiceNames;

template <typename Enum, size_t N>
using ChoiceTable = std::array<std::pair<Enum, std::string_view>, N>;

template <>
struct ChoiceNames<MlpKind> {
  static constexpr ChoiceTable<MlpKind, 2> table{{{MlpKind::kSwiGLU, "swiglu"}, {MlpKind::kGELU, "gelu"}}};
};
template <>
struct ChoiceNames<NormKind> {
  static constexpr ChoiceTable<NormKind, 2> table{
      {{NormKind::kRMSNorm, "rmsnorm"}, {NormKind::kLayerNorm, "layernorm"}}};
};
template <>
struct ChoiceNames<PositionKind> {
  static constexpr ChoiceTable<PositionKind, 5> table{{{PositionKind::kRope, "rope"},
                                                       {PositionKind::kSinusoidal, "sinusoidal"},
                                                       {PositionKind::kLearned, "learned"},
                                                       {PositionKind::kNone, "none"},
                                                       {PositionKind::kAlibi, "alibi"}}};
};
template <>
struct ChoiceNames<RopeStyle> {
  static constexpr ChoiceTable<RopeStyle, 2> table{
      {{RopeStyle::kHalf, "half"}, {RopeStyle::kInterleaved, "interleaved"}}};
};
template <>
struct ChoiceNames<RopeScaling> {
  static constexpr ChoiceTable<RopeScaling, 4> table{{{RopeScaling::kNone, "none"},
                                                      {RopeScaling::kLinear, "linear"},
                                                      {RopeScaling::kNTK, "ntk"},
                                                      {RopeScaling::kYarn, "yarn"}}};
};
template <>
struct ChoiceNames<AttentionKind> {
  static constexpr ChoiceTable<AttentionKind, 3> table{{{AttentionKind::kAuto, "auto"},
                                                        {AttentionKind::kSdpa, "sdpa"},
                                                        {AttentionKind::kExplicit, "explicit"}}};
};
template <>
struct ChoiceNames<TokenizerKind> {
  static constexpr ChoiceTable<TokenizerKind, 4> table{{{TokenizerKind::kWordPiece, "wordpiece"},
                                                        {TokenizerKind::kSentencePiece, "sentencepiece"},
                                                        {TokenizerKind::kGpt2, "gpt2"},
                                                        {TokenizerKind::kBytes, "bytes"}}};
};
template <>
struct ChoiceNames<LrSchedule> {
  static constexpr ChoiceTable<LrSchedule, 4> table{{{LrSchedule::kCosine, "cosine"},
                                                     {LrSchedule::kLinear, "linear"},
                                                     {LrSchedule::kConstant, "constant"},
                                                     {LrSchedule::kWsd, "wsd"}}};
};
template <>
struct ChoiceNames<Precision> {
  static constexpr ChoiceTable<Precision, 3> table{
      {{Precision::kFp32, "fp32"}, {Precision::kBf16, "bf16"}, {Precision::kAuto, "auto"}}};
};
template <>
struct ChoiceNames<BackendKind> {
  static constexpr ChoiceTable<BackendKind, 3> table{
      {{BackendKind::kAuto, "auto"}, {BackendKind::kGloo, "gloo"}, {BackendKind::kNccl, "nccl"}}};
};

// The TOML name of a value.
template <typename Enum>
constexpr std::string_view choice_name(Enum value) {
  for (const auto& [entry, name] : ChoiceNames<Enum>::table)
    if (entry == value) return name;
  return "?";  // unreachable while every table lists every value (tests/config/choices_test.cpp)
}

// The value a TOML name stands for; nullopt for a name that is none of them.
template <typename Enum>
constexpr std::optional<Enum> parse_choice(std::string_view name) {
  for (const auto& [entry, entry_name] : ChoiceNames<Enum>::table)
    if (entry_name == name) return entry;
  return std::nullopt;
}

// Every name, in table order.
template <typename Enum>
std::vector<std::string> choice_names() {
  std::vector<std::string> names;
  for (const auto& [entry, name] : ChoiceNames<Enum>::table) names.emplace_back(name);
  return names;
}

}  // namespace ropelm
