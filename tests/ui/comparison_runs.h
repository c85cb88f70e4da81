// The comparison a paper needs, as run files: two tasks x three methods x two learning
// rates x two seeds (24 runs), every run sharing a model, train cap and precision, so a
// label must name only method and learning rate and the caption the rest. Also the
// conflict-remedies study's 21 runs, labelled by the remedies alone.
#pragma once

#include "ui_fixtures.h"

#include "analysis/run_naming.h"

namespace sweet::testing {

inline const std::vector<std::string>& comparisonTasks() {
  static const std::vector<std::string> tasks = {"rte", "sst2"};
  return tasks;
}
inline const std::vector<double>& comparisonLearningRates() {
  static const std::vector<double> rates = {2e-5, 5e-5};
  return rates;
}

inline QStringList writeComparisonRuns(const QString& dir) {
  QStringList paths;
  for (size_t t = 0; t < comparisonTasks().size(); ++t)
    for (const char* method : {"ee", "sweet", "mm"})
      for (size_t l = 0; l < comparisonLearningRates().size(); ++l)
        for (int64_t seed : {1, 2}) {
          const std::string& task = comparisonTasks()[t];
          const double lr = comparisonLearningRates()[l];
          // Other logits per task and learning rate, so the curves differ as real ones do.
          FakeRun run = randomRun(method, seed + 10 * static_cast<int64_t>(l) + 100 * static_cast<int64_t>(t));
          run.task = task;
          run.seed = seed;
          run.learningRate = lr;
          run.config = {{"method", method}, {"task", task}, {"seed", seed}, {"learning_rate", lr},
                        {"train_cap", 2000}, {"model", "/models/bert-base-uncased"}, {"precision", "fp32"},
                        {"epochs", 3}, {"output_dir", "/tmp/x"}};
          const QString path = QDir(dir).filePath(QString::fromStdString(
              analysis::defaultRunName(task, method, lr, seed) + ".h5"));
          writeRun(path.toStdString(), run);
          paths << path;
        }
  return paths;
}

// Issue 25's conflict-remedies study as run files (resources/sweeps/conflict-remedies.json):
// seven remedies x three seeds, each config as the trainer writes it, with every key
// present (sweet_alpha 1.0 and exit_loss_weights "uniform" where a remedy leaves them).
struct Remedy {
  std::string id, method;
  double alpha;
  nlohmann::json weights;
};
inline const std::vector<Remedy>& conflictRemedies() {
  static const std::vector<Remedy> remedies = {
      {"alpha0", "ee", 0.0, "uniform"},   {"alpha0.25", "ee", 0.25, "uniform"}, {"alpha0.5", "ee", 0.5, "uniform"},
      {"alpha0.75", "ee", 0.75, "uniform"}, {"ee", "ee", 1.0, "uniform"},      {"pcgrad", "pcgrad", 1.0, "uniform"},
      {"layer", "ee", 1.0, "layer"}};
  return remedies;
}

inline QStringList writeConflictRemedyRuns(const QString& dir) {
  QStringList paths;
  for (size_t r = 0; r < conflictRemedies().size(); ++r)
    for (int64_t seed : {1, 2, 3}) {
      const Remedy& remedy = conflictRemedies()[r];
      FakeRun run = randomRun(remedy.method, seed + 10 * static_cast<int64_t>(r));
      run.seed = seed;
      const std::string id = remedy.id + "-s" + std::to_string(seed);
      run.config = {{"method", remedy.method}, {"task", "demo"}, {"seed", seed}, {"learning_rate", 5e-4},
                    {"sweet_alpha", remedy.alpha}, {"exit_loss_weights", remedy.weights},
                    {"exit_layers", {1, 4, 6, 12}}, {"train_cap", 3600}, {"precision", "auto"},
                    {"model", "runs/conflict-remedies/start/pretrained-bert"}, {"run_name", id},
                    {"output_dir", "runs/conflict-remedies/runs"}};
      const QString path = QDir(dir).filePath(QString::fromStdString(id + ".h5"));
      writeRun(path.toStdString(), run);
      paths << path;
    }
  return paths;
}

}  // namespace sweet::testing
