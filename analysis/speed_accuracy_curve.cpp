// Speed-accuracy curves: see speed_accuracy_curve.h and docs/formulas.md.
#include "speed_accuracy_curve.h"

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
  const std::vector<ExitEvent>& events = replay.events(rule);
  const int64_t n = replay.instances();
  const std::vector<int64_t>& labels = replay.labels();
  // Start below every value: everyone at exit 0. Then fire the events value by value,
  // keeping counts, correct answers and the confusion matrix up to date per moved instance.
  std::vector<int32_t> exitOf(static_cast<size_t>(n), 0);
  std::vector<int64_t> counts(static_cast<size_t>(replay.exits()), 0);
  counts[0] = n;
  ConfusionMatrix confusion(replay.classes());
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    int32_t p = replay.prediction(0, i);
    confusion.add(labels[static_cast<size_t>(i)], p);
    correct += p == labels[static_cast<size_t>(i)];
  }
  auto currentScore = [&] {
    if (metric == Metric::Accuracy) return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n);
    return confusion.score(metric);
  };
  // Entropy events carry −entropy; report thresholds in the rule's own units.
  auto toThreshold = [rule](double value) { return rule == ExitRule::Entropy ? -value : value; };

  Curve curve;
  curve.rule = rule;
  curve.points.reserve(events.size() + 1);
  size_t k = 0;
  while (k < events.size()) {
    const double value = events[k].value;
    // At threshold == value nobody in this group has moved yet (they leave when >= t).
    curve.points.push_back({toThreshold(value), cost.costFraction(counts.data()), currentScore()});
    for (; k < events.size() && events[k].value == value; ++k) {
      const ExitEvent& ev = events[k];
      const int64_t i = ev.instance;
      const int32_t from = exitOf[static_cast<size_t>(i)];
      const int64_t label = labels[static_cast<size_t>(i)];
      const int32_t before = replay.prediction(from, i), after = replay.prediction(ev.to, i);
      --counts[static_cast<size_t>(from)];
      ++counts[static_cast<size_t>(ev.to)];
      exitOf[static_cast<size_t>(i)] = ev.to;
      if (before != after) {
        correct += (after == label) - (before == label);
        confusion.add(label, before, -1);
        confusion.add(label, after, 1);
      }
    }
  }
  const double above = events.empty() ? 1.0 : std::nextafter(events.back().value, std::numeric_limits<double>::infinity());
  curve.points.push_back({toThreshold(above), cost.costFraction(counts.data()), currentScore()});
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
