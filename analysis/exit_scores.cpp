// Per-exit scores: see exit_scores.h.
#include "exit_scores.h"

#include "metrics.h"

#include <algorithm>
#include <stdexcept>

namespace sweet::analysis {

namespace {

void requireSize(size_t logits, int64_t exits, size_t instances, int64_t classes) {
  if (exits < 0 || classes < 1 || logits != static_cast<size_t>(exits * classes) * instances)
    throw std::invalid_argument("exitScores: " + std::to_string(logits) + " logits for " + std::to_string(exits) +
                                " exits x " + std::to_string(instances) + " instances x " + std::to_string(classes) +
                                " classes");
}

// Regression: each exit's column of predicted values against the gold targets.
std::vector<double> correlationScores(const std::vector<float>& logits, const std::vector<float>& targets,
                                      int64_t exits, bool ranks) {
  const std::vector<double> truth(targets.begin(), targets.end());
  const auto N = static_cast<std::ptrdiff_t>(truth.size());
  std::vector<double> scores;
  for (int64_t e = 0; e < exits; ++e) {
    const std::vector<double> predicted(logits.begin() + e * N, logits.begin() + (e + 1) * N);
    scores.push_back(ranks ? spearman(predicted, truth) : pearson(predicted, truth));
  }
  return scores;
}

std::vector<double> classificationScores(const std::vector<float>& logits, const std::vector<int64_t>& labels,
                                         int64_t exits, int64_t classes, Metric metric) {
  const auto N = static_cast<int64_t>(labels.size());
  std::vector<double> scores;
  for (int64_t e = 0; e < exits; ++e) {
    ConfusionMatrix confusion(classes);
    for (int64_t i = 0; i < N; ++i) {
      const float* row = logits.data() + (e * N + i) * classes;
      confusion.add(labels[static_cast<size_t>(i)], std::max_element(row, row + classes) - row);
    }
    scores.push_back(confusion.score(metric));
  }
  return scores;
}

}  // namespace

std::vector<double> exitScores(const std::vector<float>& logits, const std::vector<int64_t>& labels,
                               const std::vector<float>& targets, int64_t exits, int64_t classes,
                               const std::string& metric) {
  if (metric == "pearson" || metric == "spearman") {
    if (classes != 1) throw std::invalid_argument("exitScores: a regression exit predicts one value, not " + std::to_string(classes));
    requireSize(logits.size(), exits, targets.size(), classes);
    return correlationScores(logits, targets, exits, metric == "spearman");
  }
  const Metric classification = metricFromName(metric);
  requireSize(logits.size(), exits, labels.size(), classes);
  return classificationScores(logits, labels, exits, classes, classification);
}

std::vector<double> exitScores(const LogitSet& set, const std::string& metric) {
  return exitScores(set.logits, set.labels, set.targets, set.exits, set.classes, metric);
}

}  // namespace sweet::analysis
