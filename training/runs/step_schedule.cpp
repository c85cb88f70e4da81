// Step schedule: see step_schedule.h.
#include "training/runs/step_schedule.h"

#include <algorithm>
#include <cmath>

namespace sweet {

double learningRateAt(int64_t step, int64_t total, int64_t warmup, double peak) {
  if (warmup > 0 && step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double remaining = static_cast<double>(total - step) / static_cast<double>(std::max<int64_t>(1, total - warmup));
  return peak * std::max(0.0, remaining);
}

double StepSchedule::learningRate(int64_t step) const {
  return learningRateAt(step, total_steps, warmup_steps, peak_learning_rate);
}

StepSchedule makeStepSchedule(const TrainConfig& c, int64_t trainRows) {
  StepSchedule s;
  s.steps_per_epoch = (trainRows + c.batch_size - 1) / c.batch_size;
  s.total_steps = s.steps_per_epoch * c.epochs;
  if (c.max_steps > 0) s.total_steps = std::min(s.total_steps, c.max_steps);
  s.warmup_steps = static_cast<int64_t>(std::llround(c.warmup_ratio * static_cast<double>(s.total_steps)));
  s.peak_learning_rate = c.learning_rate;
  return s;
}

}  // namespace sweet
