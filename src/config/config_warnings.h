// Settings that are legal but almost certainly not what was meant: each gets one warning line.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace ropelm {

// The warnings for `config`, one line each (empty when nothing looks wrong): warmup covering the whole run,
// a training or eval stride that skips tokens, an eval context beyond the trained one.
std::vector<std::string> config_warnings(const Config& config);

// Logs each of config_warnings(config) with spdlog::warn.
void warn_about_config(const Config& config);

}  // namespace ropelm
