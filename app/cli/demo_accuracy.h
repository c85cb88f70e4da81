// The demo's per-exit accuracy split by difficulty (easy / negation / counting): what
// `sweet demo` prints after training, to show what each exit can and cannot do. The demo
// eval set is regenerated from its seed, so only the run file is needed.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "analysis/run_data.h"

namespace sweet::cli {

struct DemoExitAccuracy {
  int64_t exit = 0, layer = 0;          // 0-based exit, its 1-based layer
  std::array<double, 4> accuracy{};     // overall, easy, negation, counting
  std::array<int64_t, 4> instances{};   // how many instances each accuracy is over
};

// One row per exit. Throws std::runtime_error when the run has no evaluation or its eval
// set is not the demo's (different size).
std::vector<DemoExitAccuracy> demoAccuracyByDifficulty(const analysis::RunData& run);

}  // namespace sweet::cli
