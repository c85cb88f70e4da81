// Speed-accuracy curves: see speed_accuracy_curve.h and docs/formulas.md.
#include "speed_accuracy_curve.h"

#include "exit_sweep.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sweet::analysis {

std::vector<double> paperThresholds(int64_t numLabels) {
  if (numLabels < 2) throw std::invalid_argument("paperThresholds: at least two labels");
  const double first = 1.0 / static_cast<double>(numLabels);
  std::vector<double> thresholds(11);
  for (int j = 0; j <= 10; ++j) thresholds[static_cast<size_t>(j)] = first + (1.0 - first) * j / 10.0;
  thresholds.front() = first;  // exact ends: 1/K reaches every instance at exit 1
  thresholds.back() = 1.0;
  return thresholds;
}

namespace {

void sortByCost(Curve& curve) {
  std::stable_sort(curve.points.begin(), curve.points.end(),
                   [](const CurvePoint& a, const CurvePoint& b) { return a.cost < b.cost; });
}

}  // namespace

std::vector<double> patienceValues(int64_t exits) {
  std::vector<double> values;
  for (int64_t k = 1; k <= exits; ++k) values.push_back(static_cast<double>(k));
  return values;
}

Curve thresholdCurve(ExitReplay& replay, const CostModel& cost, Metric metric, ExitRule rule,
                     const std::vector<double>& parameters) {
  if (cost.exits() != replay.exits()) throw std::invalid_argument("thresholdCurve: cost model and replay differ in exits");
  Curve curve;
  curve.rule = rule;
  for (double parameter : parameters) {
    const ExitAssignment& assignment = replay.assign(rule, parameter);
    curve.points.push_back({parameter, cost.costFraction(assignment.exitCounts), replay.score(assignment, metric)});
  }
  sortByCost(curve);
  return curve;
}

Curve exactCurve(ExitReplay& replay, const CostModel& cost, Metric metric, ExitRule rule) {
  if (cost.exits() != replay.exits()) throw std::invalid_argument("exactCurve: cost model and replay differ in exits");
  // From below every value (everyone at exit 0) through each group of equal-valued events.
  // At threshold == value nobody in that group has moved yet (they leave when >= t), so the
  // point is taken before the group is applied.
  ExitSweep sweep(replay, rule);
  Curve curve;
  curve.rule = rule;
  curve.points.reserve(replay.events(rule).size() + 1);
  while (!sweep.atEnd()) {
    curve.points.push_back({sweep.threshold(sweep.nextValue()), cost.costFraction(sweep.exitCounts()), sweep.score(metric)});
    sweep.applyNextGroup();
  }
  curve.points.push_back({sweep.threshold(sweep.valueAboveAll()), cost.costFraction(sweep.exitCounts()), sweep.score(metric)});
  return curve;
}

std::vector<double> fixedCostFractions(int64_t numLayers, CostKind kind) {
  if (numLayers < 1) throw std::invalid_argument("fixedCostFractions: numLayers must be positive");
  const double minimum = 1.0 / static_cast<double>(numLayers);
  std::vector<double> fractions;
  if (std::abs(minimum - 1.0 / 12.0) > 1e-12) fractions.push_back(minimum);
  for (double f : {1.0 / 12.0, 0.25, 0.5, 0.75, 1.0})
    if (f >= minimum - 1e-12) fractions.push_back(f);
  if (kind == CostKind::Cascade) {
    fractions.push_back(1.375);
    fractions.push_back(1.75);
  }
  std::sort(fractions.begin(), fractions.end());
  fractions.erase(std::unique(fractions.begin(), fractions.end()), fractions.end());
  return fractions;
}

std::optional<double> scoreAtCost(const Curve& curve, double cost) {
  const auto& p = curve.points;
  if (p.empty() || cost < p.front().cost || cost > p.back().cost) return std::nullopt;
  auto it = std::lower_bound(p.begin(), p.end(), cost,
                             [](const CurvePoint& point, double c) { return point.cost < c; });
  if (it->cost == cost || it == p.begin()) return it->score;
  const CurvePoint& hi = *it;
  const CurvePoint& lo = *(it - 1);
  return lo.score + (hi.score - lo.score) * (cost - lo.cost) / (hi.cost - lo.cost);
}

std::optional<CostRange> sharedCostRange(const std::vector<const Curve*>& curves) {
  if (curves.empty()) return std::nullopt;
  CostRange range{curves.front()->minCost(), curves.front()->maxCost()};
  for (const Curve* c : curves) range.low = std::max(range.low, c->minCost()), range.high = std::min(range.high, c->maxCost());
  if (range.low > range.high) return std::nullopt;
  return range;
}

std::vector<double> costGrid(const CostRange& range, int samples) {
  const double lo = range.low, hi = range.high;
  if (!(hi > lo) || samples < 2) return {lo};
  std::vector<double> grid;
  // Clamped: rounding may put the last sample a hair above `hi`, outside some curve.
  for (int i = 0; i < samples; ++i) grid.push_back(std::min(hi, lo + (hi - lo) * i / (samples - 1)));
  return grid;
}

std::optional<double> areaUnderCurve(const Curve& curve, double from, double to) {
  const auto& p = curve.points;
  if (p.empty() || from > to || from < p.front().cost || to > p.back().cost) return std::nullopt;
  double area = 0;
  for (size_t j = 1; j < p.size(); ++j) {
    const double x0 = std::max(p[j - 1].cost, from), x1 = std::min(p[j].cost, to);
    if (x1 <= x0) continue;
    // Trapezoid of the segment clipped to [from, to]: the line evaluated at both clip ends.
    const double slope = (p[j].score - p[j - 1].score) / (p[j].cost - p[j - 1].cost);
    const double y0 = p[j - 1].score + slope * (x0 - p[j - 1].cost);
    const double y1 = p[j - 1].score + slope * (x1 - p[j - 1].cost);
    area += 0.5 * (y0 + y1) * (x1 - x0);
  }
  return area;
}

}  // namespace sweet::analysis
