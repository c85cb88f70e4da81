// The in-process trainer tests' config: the demo task on a 3-layer tiny checkpoint (exits
// after layers 1 and 3), one epoch of a few batches, one thread, nothing saved: a run of
// about a second whose steps a test can take apart.
#pragma once

#include <string>

#include "training/runs/train_config.h"

namespace sweet::testing {

inline TrainConfig tinyTrainerConfig(const std::string& checkpoint, const std::string& outDir) {
  TrainConfig c;
  c.task = "demo";
  c.model = checkpoint;
  c.demo_train_size = 120;
  c.demo_eval_size = 50;
  c.train_cap = 80;
  c.calibration_size = 30;
  c.batch_size = 16;
  c.epochs = 1;
  c.max_length = 40;
  c.learning_rate = 1e-3;
  c.exit_layers = {1, 3};
  c.threads = 1;
  c.output_dir = outDir;
  c.save_model = false;
  return c;
}

}  // namespace sweet::testing
