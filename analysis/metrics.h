// Task metrics of the GLUE benchmark as the paper reports them: accuracy, Matthews
// correlation (CoLA) and F1 of the positive class (MRPC, QQP); Pearson and Spearman
// correlation for the regression task STS-B. Computed from a confusion
// matrix so the exact-curve sweep can update a score in O(1) per moved instance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::analysis {

enum class Metric { Accuracy, Mcc, F1 };

// "accuracy" | "mcc" | "f1" (the run file's `metric` attribute); throws std::runtime_error.
Metric metricFromName(const std::string& name);
const char* metricName(Metric metric);

// counts[label][prediction]; labels and predictions in [0, classes).
class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t classes);

  void clear();
  void add(int64_t label, int64_t prediction, int64_t count = 1) {
    counts_[static_cast<size_t>(label * classes_ + prediction)] += count;
    total_ += count;
  }
  int64_t at(int64_t label, int64_t prediction) const {
    return counts_[static_cast<size_t>(label * classes_ + prediction)];
  }
  int64_t classes() const { return classes_; }
  int64_t total() const { return total_; }

  // Fraction correct; 0 for an empty matrix.
  double accuracy() const;
  // Multi-class MCC (Gorodkin's R_K), equal to the binary MCC for two classes; 0 when a
  // marginal is constant (the sklearn convention), since the correlation is undefined there.
  double matthews() const;
  // F1 of class `positive` (label id 1 in GLUE's binary tasks); 0 when it has no support
  // and was never predicted.
  double f1(int64_t positive = 1) const;
  double score(Metric metric) const;

 private:
  int64_t classes_;
  int64_t total_ = 0;
  std::vector<int64_t> counts_;
};

// Convenience for whole prediction vectors (allocates a confusion matrix).
double score(Metric metric, const std::vector<int64_t>& labels, const std::vector<int32_t>& predictions,
             int64_t classes);

// Pearson's r of two equally long series; 0 when either is constant (undefined there, the
// same convention as matthews()). Throws std::invalid_argument for unequal lengths.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// Ranks 1..n, ties sharing the average of the ranks they span (so {5, 7, 7} -> {1, 2.5, 2.5}).
std::vector<double> averageRanks(const std::vector<double>& values);
// Spearman's rho: Pearson's r of the average ranks (scipy.stats.spearmanr's definition).
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// Area under the ROC curve of `scores` for the binary outcome `positive`, by ranks
// (Mann-Whitney U, ties at average ranks): the chance that a positive scores above a
// negative. 0.5 when either outcome is absent. Learning-to-exit scores are judged by it.
double auroc(const std::vector<double>& scores, const std::vector<bool>& positive);

}  // namespace sweet::analysis
