// A tiny demo-task setup for tests that really train: a 2-layer BERT checkpoint made by
// the demo-checkpoint writer from a config written to a temp folder, and a run config of
// a few steps (seconds on CPU).
#pragma once

#include "ui/experiment_spec.h"
#include "ui/training_adapter.h"

#include <QDir>
#include <QFile>
#include <QString>

namespace sweet::testing {

inline QString makeTinyCheckpoint(const QString& dir) {
  const QString configFile = QDir(dir).filePath("tiny-config.json");
  QFile f(configFile);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(R"({"model_type": "bert", "vocab_size": 256, "hidden_size": 32, "num_hidden_layers": 2,
  "num_attention_heads": 2, "intermediate_size": 64, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
  "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 64, "type_vocab_size": 2,
  "layer_norm_eps": 1e-12, "pad_token_id": 0})");
  f.close();
  return QString::fromStdString(
      sweet::ui::ensureDemoCheckpointAt(QDir(dir).filePath("tiny-bert").toStdString(), configFile.toStdString()));
}

inline sweet::ui::PlannedRun tinyRun(const QString& checkpoint, const QString& outDir, int64_t maxSteps, int64_t epochs = 1) {
  sweet::ui::PlannedRun run;
  run.name = "tiny";
  run.config = {{"task", "demo"}, {"demo_train_size", 64}, {"demo_eval_size", 32}, {"calibration_size", 16},
                {"model", checkpoint.toStdString()}, {"method", "ee"}, {"exit_layers", {1, 2}},
                {"batch_size", 8}, {"epochs", epochs}, {"max_length", 32}, {"max_steps", maxSteps},
                {"output_dir", outDir.toStdString()}, {"save_model", false}, {"threads", 1},
                {"learning_rate", 1e-3}};
  return run;
}

}  // namespace sweet::testing
