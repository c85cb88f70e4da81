// A tiny demo-task setup for tests that really train: a 2-layer BERT checkpoint made by
// the demo-checkpoint writer from a config written to a temp folder, and a run config of
// a few steps (seconds on CPU).
#pragma once

#include "ui/experiment_spec.h"
#include "tests/support/tiny_models.h"

#include <QDir>
#include <QFile>
#include <QString>

namespace sweet::testing {

inline QString makeTinyCheckpoint(const QString& dir) {
  return QString::fromStdString(tinyDemoCheckpoint(dir.toStdString(), "tiny-bert",
                                                   {/*layers*/ 2, /*hidden*/ 32, /*heads*/ 2, /*vocab*/ 256, /*maxPositions*/ 64}));
}

inline sweet::ui::PlannedRun tinyRun(const QString& checkpoint, const QString& outDir, int64_t maxSteps, int64_t epochs = 1) {
  sweet::ui::PlannedRun run;
  run.name = "tiny";
  run.config = sweet::trainConfigFromJson(
      {{"task", "demo"}, {"demo_train_size", 64}, {"demo_eval_size", 32}, {"calibration_size", 16},
       {"model", checkpoint.toStdString()}, {"method", "ee"}, {"exit_layers", {1, 2}},
       {"batch_size", 8}, {"epochs", epochs}, {"max_length", 32}, {"max_steps", maxSteps},
       {"output_dir", outDir.toStdString()}, {"save_model", false}, {"threads", 1},
       {"learning_rate", 1e-3}},
      "tiny run");
  return run;
}

}  // namespace sweet::testing
