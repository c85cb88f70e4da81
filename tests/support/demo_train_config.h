// The small demo-task training config the CLI safety tests run `sweet train` with: a few
// seconds on a tiny checkpoint, so a test can interrupt it, fill its disk and repeat it.
#pragma once

#include <QByteArray>
#include <QString>

namespace sweet::testing {

// `extra` is spliced in before the closing brace (", \"key\": value ..."); a key it repeats
// overrides the one above (the JSON reader keeps the last).
inline QByteArray tinyDemoTrainConfig(const QString& checkpoint, const QString& outDir, const QString& extra = {},
                                      int epochs = 1) {
  return QStringLiteral(R"({"task": "demo", "model": "%1", "demo_train_size": 160, "demo_eval_size": 48,
      "calibration_size": 16, "method": "ee", "exit_layers": [1, 4, 6, 12], "learning_rate": 0.0005,
      "batch_size": 8, "epochs": %4, "max_length": 40, "threads": 1, "output_dir": "%2",
      "save_model": false%3})")
      .arg(checkpoint, outDir, extra)
      .arg(epochs)
      .toUtf8();
}

}  // namespace sweet::testing
