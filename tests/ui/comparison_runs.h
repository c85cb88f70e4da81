// The comparison a paper needs, as run files: two tasks x three methods x two learning
// rates x two seeds (24 runs), every run sharing a model, train cap and precision, so a
// label must name only method and learning rate and the caption the rest.
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

}  // namespace sweet::testing
