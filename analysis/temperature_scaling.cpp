// Temperature scaling: see temperature_scaling.h; the NLL, its derivatives and ECE are
// written out in docs/formulas.md.
#include "temperature_scaling.h"

#include "reliability.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
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

namespace {

// NLL and ECE with a temperature per instance (cross-fitting scores each half of the eval
// set with the other half's temperature); `temperature(i)` gives instance i's.
template <typename TemperatureOf>
double nllWith(const LogitSet& set, int64_t exit, TemperatureOf temperature) {
  double total = 0;
  for (int64_t i = 0; i < set.instances; ++i) {
    const double t = temperature(i);
    const float* z = set.row(exit, i);
    double zmax = z[0];
    for (int64_t k = 1; k < set.classes; ++k) zmax = std::max(zmax, static_cast<double>(z[k]));
    double sum = 0;
    for (int64_t k = 0; k < set.classes; ++k) sum += std::exp((z[k] - zmax) / t);
    total += std::log(sum) - (z[set.labels[static_cast<size_t>(i)]] - zmax) / t;
  }
  return set.instances == 0 ? 0 : total / static_cast<double>(set.instances);
}

// ECE is the reliability diagram's (one computation for the number and the picture).
template <typename TemperatureOf>
double eceWith(const LogitSet& set, int64_t exit, TemperatureOf temperature, int bins) {
  if (bins < 1) throw std::invalid_argument("ECE needs at least one bin");
  std::vector<double> temperatures;
  temperatures.reserve(static_cast<size_t>(set.instances));
  for (int64_t i = 0; i < set.instances; ++i) temperatures.push_back(temperature(i));
  return reliabilityDiagram(set, exit, temperatures, bins).ece;
}

LogitSet subset(const LogitSet& set, const std::vector<int64_t>& fold, int64_t which) {
  LogitSet out;
  out.exits = set.exits;
  out.classes = set.classes;
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < set.instances; ++i)
    if (fold[static_cast<size_t>(i)] == which) rows.push_back(i);
  out.instances = static_cast<int64_t>(rows.size());
  out.logits.reserve(static_cast<size_t>(out.exits * out.instances * out.classes));
  for (int64_t e = 0; e < set.exits; ++e)
    for (int64_t i : rows) out.logits.insert(out.logits.end(), set.row(e, i), set.row(e, i) + set.classes);
  for (int64_t i : rows) out.labels.push_back(set.labels[static_cast<size_t>(i)]);
  return out;
}

}  // namespace

double negativeLogLikelihood(const LogitSet& set, int64_t exit, double temperature) {
  requireExit(set, exit);
  return nllWith(set, exit, [temperature](int64_t) { return temperature; });
}

double expectedCalibrationError(const LogitSet& set, int64_t exit, double temperature, int bins) {
  requireExit(set, exit);
  return eceWith(set, exit, [temperature](int64_t) { return temperature; }, bins);
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

const char* calibrationSchemeName(CalibrationScheme scheme) {
  switch (scheme) {
    case CalibrationScheme::HeldOut: return "held-out";
    case CalibrationScheme::CrossFit: return "cross-fit";
    case CalibrationScheme::Eval: return "eval";
  }
  return "?";
}

std::vector<int64_t> crossFitFolds(const std::vector<int64_t>& labels, uint64_t seed) {
  const auto n = static_cast<int64_t>(labels.size());
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[rng() % static_cast<uint64_t>(i + 1)]);
  std::vector<int64_t> fold(static_cast<size_t>(n), 0);
  std::map<int64_t, int64_t> seen;
  for (int64_t i : order) fold[static_cast<size_t>(i)] = seen[labels[static_cast<size_t>(i)]]++ % 2;
  return fold;
}

std::vector<double> CalibrationResult::replayTemperatures() const {
  std::vector<double> out;
  if (scheme != CalibrationScheme::CrossFit) {
    for (const ExitCalibration& e : exits) out.push_back(e.temperature);
    return out;
  }
  for (const ExitCalibration& e : exits)
    for (int64_t f : evalFold) out.push_back(e.foldTemperatures[static_cast<size_t>(1 - f)]);
  return out;
}

CalibrationResult calibrate(const RunData& run, CalibrationSplit split) {
  if (run.regression)
    throw std::invalid_argument(run.path + ": a regression run has no softmax confidences to temperature-scale");
  CalibrationResult result;
  const bool heldOut = split == CalibrationSplit::Calibration && run.calibration && !run.calibration->empty();
  result.scheme = split == CalibrationSplit::Eval ? CalibrationScheme::Eval
                  : heldOut                       ? CalibrationScheme::HeldOut
                                                  : CalibrationScheme::CrossFit;
  if (result.scheme == CalibrationScheme::CrossFit) {
    result.evalFold = static_cast<int64_t>(run.evalFold.size()) == run.eval.instances
                          ? run.evalFold
                          : crossFitFolds(run.eval.labels, static_cast<uint64_t>(run.seed));
    const LogitSet folds[2] = {subset(run.eval, result.evalFold, 0), subset(run.eval, result.evalFold, 1)};
    result.fittedInstances = run.eval.instances;
    for (int64_t e = 0; e < run.exits(); ++e) {
      ExitCalibration c;
      c.foldTemperatures = {fitTemperature(folds[0], e), fitTemperature(folds[1], e)};
      c.temperature = std::sqrt(c.foldTemperatures[0] * c.foldTemperatures[1]);
      // Each instance is scored with the temperature fitted on the fold it is not in.
      auto applied = [&](int64_t i) { return c.foldTemperatures[static_cast<size_t>(1 - result.evalFold[static_cast<size_t>(i)])]; };
      c.nllBefore = negativeLogLikelihood(run.eval, e, 1);
      c.nllAfter = nllWith(run.eval, e, applied);
      c.eceBefore = expectedCalibrationError(run.eval, e, 1);
      c.eceAfter = eceWith(run.eval, e, applied, kEceBins);
      result.exits.push_back(c);
    }
    return result;
  }
  const LogitSet& fitSet = heldOut ? *run.calibration : run.eval;
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
