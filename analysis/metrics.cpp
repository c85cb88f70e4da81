// Task metrics: see metrics.h; formulas in docs/formulas.md.
#include "metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace sweet::analysis {

Metric metricFromName(const std::string& name) {
  if (name == "accuracy") return Metric::Accuracy;
  if (name == "mcc") return Metric::Mcc;
  if (name == "f1") return Metric::F1;
  throw std::runtime_error("unknown metric '" + name + "' (expected accuracy, mcc or f1)");
}

const char* metricName(Metric metric) {
  switch (metric) {
    case Metric::Accuracy: return "accuracy";
    case Metric::Mcc: return "mcc";
    case Metric::F1: return "f1";
  }
  return "?";
}

ConfusionMatrix::ConfusionMatrix(int64_t classes)
    : classes_(classes), counts_(static_cast<size_t>(classes * classes), 0) {
  if (classes < 1) throw std::invalid_argument("ConfusionMatrix needs at least one class");
}

void ConfusionMatrix::clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
}

double ConfusionMatrix::accuracy() const {
  if (total_ == 0) return 0;
  int64_t correct = 0;
  for (int64_t k = 0; k < classes_; ++k) correct += at(k, k);
  return static_cast<double>(correct) / static_cast<double>(total_);
}

double ConfusionMatrix::matthews() const {
  // R_K = (c·s − Σ_k p_k t_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²)), c = correct, s = total,
  // t_k = true count of class k, p_k = predicted count of class k. Sums in double: s² for
  // 400k instances overflows nothing but keeps the products exact enough.
  double c = 0, s = static_cast<double>(total_), pt = 0, pp = 0, tt = 0;
  for (int64_t k = 0; k < classes_; ++k) {
    double t = 0, p = 0;
    for (int64_t j = 0; j < classes_; ++j) {
      t += static_cast<double>(at(k, j));
      p += static_cast<double>(at(j, k));
    }
    c += static_cast<double>(at(k, k));
    pt += p * t;
    pp += p * p;
    tt += t * t;
  }
  double denominator = std::sqrt((s * s - pp) * (s * s - tt));
  if (denominator == 0) return 0;
  return (c * s - pt) / denominator;
}

double ConfusionMatrix::f1(int64_t positive) const {
  double tp = static_cast<double>(at(positive, positive)), fp = 0, fn = 0;
  for (int64_t k = 0; k < classes_; ++k) {
    if (k == positive) continue;
    fp += static_cast<double>(at(k, positive));
    fn += static_cast<double>(at(positive, k));
  }
  double denominator = 2 * tp + fp + fn;
  return denominator == 0 ? 0 : 2 * tp / denominator;
}

double ConfusionMatrix::score(Metric metric) const {
  switch (metric) {
    case Metric::Accuracy: return accuracy();
    case Metric::Mcc: return matthews();
    case Metric::F1: return f1(1);
  }
  return 0;
}

double score(Metric metric, const std::vector<int64_t>& labels, const std::vector<int32_t>& predictions,
             int64_t classes) {
  if (labels.size() != predictions.size()) throw std::invalid_argument("score: labels and predictions differ in length");
  ConfusionMatrix confusion(classes);
  for (size_t i = 0; i < labels.size(); ++i) confusion.add(labels[i], predictions[i]);
  return confusion.score(metric);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("pearson: series of different lengths");
  const auto n = static_cast<double>(x.size());
  if (x.empty()) return 0;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  // Centred sums in double: the one-pass formula loses every digit on scores near 5.
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> averageRanks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    const double shared = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // mean of ranks i+1..j
    for (size_t k = i; k < j; ++k) ranks[order[k]] = shared;
    i = j;
  }
  return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("spearman: series of different lengths");
  return pearson(averageRanks(x), averageRanks(y));
}

double auroc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  if (scores.size() != positive.size()) throw std::invalid_argument("auroc: scores and outcomes of different lengths");
  const std::vector<double> ranks = averageRanks(scores);
  double positiveRankSum = 0;
  double positives = 0;
  for (size_t i = 0; i < ranks.size(); ++i)
    if (positive[i]) positiveRankSum += ranks[i], positives += 1;
  const double negatives = static_cast<double>(ranks.size()) - positives;
  if (positives == 0 || negatives == 0) return 0.5;
  return (positiveRankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

}  // namespace sweet::analysis
