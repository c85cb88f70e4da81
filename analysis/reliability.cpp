// Reliability diagrams and ECE: see reliability.h; the binning is written out with ECE in
// docs/formulas.md.
#include "reliability.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sweet::analysis {

double ReliabilityBin::meanConfidence() const {
  return count == 0 ? std::numeric_limits<double>::quiet_NaN() : confidenceSum / static_cast<double>(count);
}

double ReliabilityBin::accuracy() const {
  return count == 0 ? std::numeric_limits<double>::quiet_NaN() : correctSum / static_cast<double>(count);
}

ReliabilityDiagram reliabilityDiagram(const LogitSet& set, int64_t exit, const std::vector<double>& temperatures, int bins) {
  if (bins < 1) throw std::invalid_argument("a reliability diagram needs at least one bin");
  if (exit < 0 || exit >= set.exits) throw std::out_of_range("reliability diagram: no such exit");
  const bool perInstance = static_cast<int64_t>(temperatures.size()) == set.instances && temperatures.size() != 1;
  if (!perInstance && temperatures.size() != 1)
    throw std::invalid_argument("reliability diagram: give one temperature or one per instance");
  ReliabilityDiagram out;
  out.instances = set.instances;
  for (int b = 0; b < bins; ++b)
    out.bins.push_back({static_cast<double>(b) / bins, static_cast<double>(b + 1) / bins, 0, 0, 0});
  double correct = 0;
  for (int64_t i = 0; i < set.instances; ++i) {
    const double t = temperatures[perInstance ? static_cast<size_t>(i) : 0];
    const float* z = set.row(exit, i);
    int64_t best = 0;
    for (int64_t k = 1; k < set.classes; ++k)
      if (z[k] > z[best]) best = k;
    double sum = 0;
    for (int64_t k = 0; k < set.classes; ++k) sum += std::exp((z[k] - z[best]) / t);
    const double confidence = 1.0 / sum;
    // Bin b holds confidences in (b/B, (b+1)/B]; confidence > 0 always.
    ReliabilityBin& bin = out.bins[static_cast<size_t>(std::clamp(static_cast<int>(std::ceil(confidence * bins)) - 1, 0, bins - 1))];
    const double right = best == set.labels[static_cast<size_t>(i)] ? 1 : 0;
    ++bin.count;
    bin.confidenceSum += confidence;
    bin.correctSum += right;
    correct += right;
  }
  for (const ReliabilityBin& bin : out.bins) out.ece += std::abs(bin.correctSum - bin.confidenceSum);
  if (set.instances > 0) {
    out.ece /= static_cast<double>(set.instances);
    out.accuracy = correct / static_cast<double>(set.instances);
  }
  return out;
}

RunReliability runReliability(const RunData& run, CalibrationSplit split, int bins) {
  const CalibrationResult calibration = calibrate(run, split);  // throws for regression runs
  const std::vector<double> applied = calibration.replayTemperatures();
  const auto N = static_cast<size_t>(run.eval.instances);
  const bool perInstance = calibration.scheme == CalibrationScheme::CrossFit;
  RunReliability out;
  out.scheme = calibration.scheme;
  for (int64_t e = 0; e < run.exits(); ++e) {
    const auto at = static_cast<size_t>(e);
    const std::vector<double> after = perInstance ? std::vector<double>(applied.begin() + static_cast<std::ptrdiff_t>(at * N),
                                                                        applied.begin() + static_cast<std::ptrdiff_t>((at + 1) * N))
                                                  : std::vector<double>{applied[at]};
    ExitReliability r;
    r.exitLayer = run.exitLayers[at];
    r.temperature = calibration.exits[at].temperature;
    r.before = reliabilityDiagram(run.eval, e, {1.0}, bins);
    r.after = reliabilityDiagram(run.eval, e, after, bins);
    out.exits.push_back(std::move(r));
  }
  return out;
}

}  // namespace sweet::analysis
