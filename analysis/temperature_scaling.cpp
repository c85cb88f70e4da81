// Temperature scaling: see temperature_scaling.h; the NLL, its derivatives and ECE are
// written out in docs/formulas.md.
#include "temperature_scaling.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sweet::analysis {

namespace {

constexpr double kMinBeta = 1e-3, kMaxBeta = 1e3;  // β = 1/T

// f'(β) and f''(β) of f(β) = mean_i [logsumexp(β z_i) − β z_{i,y}]:
// f' = mean_i [E_p z − z_y], f'' = mean_i Var_p(z) >= 0 with p = softmax(β z_i).
void nllDerivatives(const LogitSet& set, int64_t exit, double beta, double& first, double& second) {
  first = second = 0;
  for (int64_t i = 0; i < set.instances; ++i) {
    const float* z = set.row(exit, i);
    double zmax = z[0];
    for (int64_t k = 1; k < set.classes; ++k) zmax = std::max(zmax, static_cast<double>(z[k]));
    double sum = 0, mean = 0, meanSq = 0;
    for (int64_t k = 0; k < set.classes; ++k) {
      const double w = std::exp(beta * (z[k] - zmax));
      sum += w;
      mean += w * z[k];
      meanSq += w * z[k] * z[k];
    }
    mean /= sum;
    meanSq /= sum;
    first += mean - z[set.labels[static_cast<size_t>(i)]];
    second += std::max(0.0, meanSq - mean * mean);
  }
  const double n = static_cast<double>(std::max<int64_t>(set.instances, 1));
  first /= n;
  second /= n;
}

void requireExit(const LogitSet& set, int64_t exit) {
  if (exit < 0 || exit >= set.exits) throw std::out_of_range("temperature scaling: no such exit");
}

}  // namespace

double negativeLogLikelihood(const LogitSet& set, int64_t exit, double temperature) {
  requireExit(set, exit);
  double total = 0;
  for (int64_t i = 0; i < set.instances; ++i) {
    const float* z = set.row(exit, i);
    double zmax = z[0];
    for (int64_t k = 1; k < set.classes; ++k) zmax = std::max(zmax, static_cast<double>(z[k]));
    double sum = 0;
    for (int64_t k = 0; k < set.classes; ++k) sum += std::exp((z[k] - zmax) / temperature);
    total += std::log(sum) - (z[set.labels[static_cast<size_t>(i)]] - zmax) / temperature;
  }
  return set.instances == 0 ? 0 : total / static_cast<double>(set.instances);
}

double expectedCalibrationError(const LogitSet& set, int64_t exit, double temperature, int bins) {
  requireExit(set, exit);
  if (bins < 1) throw std::invalid_argument("ECE needs at least one bin");
  std::vector<double> confidenceSum(static_cast<size_t>(bins), 0), correctSum(static_cast<size_t>(bins), 0);
  for (int64_t i = 0; i < set.instances; ++i) {
    const float* z = set.row(exit, i);
    int64_t best = 0;
    for (int64_t k = 1; k < set.classes; ++k)
      if (z[k] > z[best]) best = k;
    double sum = 0;
    for (int64_t k = 0; k < set.classes; ++k) sum += std::exp((z[k] - z[best]) / temperature);
    const double confidence = 1.0 / sum;
    // Bin b holds confidences in (b/B, (b+1)/B]; confidence > 0 always.
    const int b = std::clamp(static_cast<int>(std::ceil(confidence * bins)) - 1, 0, bins - 1);
    confidenceSum[static_cast<size_t>(b)] += confidence;
    correctSum[static_cast<size_t>(b)] += best == set.labels[static_cast<size_t>(i)] ? 1 : 0;
  }
  double ece = 0;
  for (int b = 0; b < bins; ++b) ece += std::abs(correctSum[static_cast<size_t>(b)] - confidenceSum[static_cast<size_t>(b)]);
  return set.instances == 0 ? 0 : ece / static_cast<double>(set.instances);
}

double fitTemperature(const LogitSet& set, int64_t exit) {
  requireExit(set, exit);
  if (set.instances == 0) return 1;
  double first = 0, second = 0;
  // f' is non-decreasing in β (f convex): the minimiser is where it crosses zero.
  nllDerivatives(set, exit, kMinBeta, first, second);
  if (first == 0 && second == 0) return 1;  // all logits equal: NLL does not depend on T
  if (first >= 0) return 1 / kMinBeta;
  nllDerivatives(set, exit, kMaxBeta, first, second);
  if (first <= 0) return 1 / kMaxBeta;
  double lo = kMinBeta, hi = kMaxBeta, beta = 1;
  for (int iteration = 0; iteration < 200; ++iteration) {
    nllDerivatives(set, exit, beta, first, second);
    if (first == 0) break;
    (first < 0 ? lo : hi) = beta;
    double next = second > 0 ? beta - first / second : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - beta) <= 1e-13 * beta || hi - lo <= 1e-13 * hi) {
      beta = next;
      break;
    }
    beta = next;
  }
  return 1 / beta;
}

std::vector<double> CalibrationResult::temperatures() const {
  std::vector<double> out;
  for (const ExitCalibration& e : exits) out.push_back(e.temperature);
  return out;
}

CalibrationResult calibrate(const RunData& run, CalibrationSplit split) {
  if (split == CalibrationSplit::Calibration && (!run.calibration || run.calibration->empty()))
    throw std::runtime_error(run.path + ": no /calibration split to fit temperatures on (fit on the eval set instead)");
  const LogitSet& fitSet = split == CalibrationSplit::Calibration ? *run.calibration : run.eval;
  CalibrationResult result;
  result.fittedOn = split;
  result.fittedInstances = fitSet.instances;
  for (int64_t e = 0; e < run.exits(); ++e) {
    ExitCalibration c;
    c.temperature = fitTemperature(fitSet, e);
    c.nllBefore = negativeLogLikelihood(run.eval, e, 1);
    c.nllAfter = negativeLogLikelihood(run.eval, e, c.temperature);
    c.eceBefore = expectedCalibrationError(run.eval, e, 1);
    c.eceAfter = expectedCalibrationError(run.eval, e, c.temperature);
    result.exits.push_back(c);
  }
  return result;
}

}  // namespace sweet::analysis
