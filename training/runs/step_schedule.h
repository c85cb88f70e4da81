// How many optimiser steps a run takes and at which learning rate: epochs over the
// training rows in batches, capped by max_steps, with linear warmup and linear decay.
// A pure function of the config and the row count, so a resumed run computes the same.
#pragma once

#include <cstdint>

#include "training/runs/train_config.h"

namespace sweet {

struct StepSchedule {
  int64_t steps_per_epoch = 0;
  int64_t total_steps = 0;
  int64_t warmup_steps = 0;
  double peak_learning_rate = 0;
  double learningRate(int64_t step) const;  // for the update that makes step + 1
};

StepSchedule makeStepSchedule(const TrainConfig& config, int64_t trainRows);

// Linear warmup to `peak` over `warmup` steps, then linear decay to 0 at `total`.
double learningRateAt(int64_t step, int64_t total, int64_t warmup, double peak);

}  // namespace sweet
