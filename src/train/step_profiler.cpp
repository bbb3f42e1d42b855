// The step range and LibTorch's legacy CPU profiler (every supported LibTorch has it), written as a Chrome
// trace whose events carry their input shapes.
#include "train/step_profiler.h"

#include <spdlog/spdlog.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

namespace profiler = torch::autograd::profiler;

std::string shapes_text(const std::vector<std::vector<int64_t>>& shapes) {
  std::string text;
  for (const auto& shape : shapes) {
    text += text.empty() ? "[" : ", [";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    text += "]";
  }
  return text;
}

// Each thread's push/pop pairs as complete ("X") events, times in µs from the first recorded event.
nlohmann::json chrome_trace(const profiler::thread_event_lists& threads) {
  const profiler::LegacyEvent* origin = nullptr;
  for (const auto& events : threads)
    for (const auto& event : events)
      if (origin == nullptr && event.kind() == profiler::EventKind::Mark) origin = &event;
  nlohmann::json trace = nlohmann::json::array();
  if (origin == nullptr) return trace;
  for (const auto& events : threads) {
    std::vector<const profiler::LegacyEvent*> open;
    for (const auto& event : events) {
      if (event.kind() == profiler::EventKind::PushRange) {
        open.push_back(&event);
      } else if (event.kind() == profiler::EventKind::PopRange && !open.empty()) {
        const profiler::LegacyEvent* start = open.back();
        open.pop_back();
        trace.push_back({{"name", start->name()},
                         {"ph", "X"},
                         {"ts", origin->cpuElapsedUs(*start)},
                         {"dur", start->cpuElapsedUs(event)},
                         {"tid", start->threadId()},
                         {"pid", 0},
                         {"args", {{"shapes", shapes_text(start->shapes())}}}});
      }
    }
  }
  return trace;
}

}  // namespace

StepProfiler::StepProfiler(bool enabled) {
  const char* file = std::getenv("ROPELM_PROFILE");
  if (!enabled || file == nullptr || *file == '\0') return;
  file_ = file;
  if (const char* steps = std::getenv("ROPELM_PROFILE_STEPS")) {
    long long first = 0, last = 0;
    char tail = 0;
    if (std::sscanf(steps, "%lld-%lld%c", &first, &last, &tail) != 2 || first < 1 || last < first) {
      throw UserError(std::string("ROPELM_PROFILE_STEPS = '") + steps + "': expected FIRST-LAST, e.g. 6-10");
    }
    first_ = first;
    last_ = last;
  }
}

StepProfiler::~StepProfiler() {
  if (recording_) profiler::disableProfilerLegacy();  // a run stopped inside the range: record nothing
}

void StepProfiler::before_step(int64_t step) {
  if (file_.empty() || step != first_) return;
  spdlog::info("profiling steps {}-{} into {}", first_, last_, file_);
  profiler::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(
      torch::profiler::impl::ProfilerState::CPU, /*report_input_shapes=*/true));
  recording_ = true;
}

void StepProfiler::after_step(int64_t step) {
  if (!recording_ || step != last_) return;
  recording_ = false;
  write_file_atomic(file_, chrome_trace(profiler::disableProfilerLegacy()).dump(1) + "\n");
  spdlog::info("profile of steps {}-{} written to {}", first_, last_, file_);
}

}  // namespace ropelm
