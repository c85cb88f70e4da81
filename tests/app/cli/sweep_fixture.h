// Shared by the sweep tests: a scratch demo checkpoint made by a one-step `sweet demo`,
// and a small sweep file (2 methods x 2 seeds of the demo task) written around it.
#pragma once

#include <QDir>
#include <QFile>
#include <QString>
#include <QtTest>

#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

namespace sweet::test {

// Makes <dir>/demo/scratch-bert; returns its path, or an empty string (with the error
// logged) when `sweet demo` failed.
inline QString makeDemoCheckpoint(const QString& dir) {
  QString error;
  const QString checkpoint = makeDemoCheckpointWithCli(sweetBinary(), dir, &error);
  if (checkpoint.isEmpty()) qWarning("%s", qPrintable(error));
  return checkpoint;
}

// A sweep file: `grid` and `extra` (more top-level keys, with a leading comma) spliced in.
inline QString writeSweep(const QString& path, const QString& checkpoint, const QString& outputDir,
                          const QString& grid = R"({"method": ["ee", "sweet"], "seed": [1, 2]})",
                          const QString& baseExtra = {}, const QString& extra = {}) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QStringLiteral(R"({"name": "demo-grid", "output_dir": "%1",
      "base": {"task": "demo", "model": "%2", "demo_train_size": 96, "demo_eval_size": 32, "calibration_size": 16,
               "exit_layers": [1, 4, 6, 12], "learning_rate": 0.0005, "batch_size": 8, "epochs": 1, "max_length": 40,
               "threads": 1, "save_model": false%3},
      "grid": %4%5})")
              .arg(outputDir, checkpoint, baseExtra, grid, extra)
              .toUtf8());
  return path;
}

}  // namespace sweet::test
