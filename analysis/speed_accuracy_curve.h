// Speed-accuracy curves: score against cost fraction as the exit threshold varies. The
// paper's 11-threshold sweep, the exact curve (every distinct confidence is a breakpoint)
// for the interactive view, scores at fixed cost fractions by linear interpolation, and
// the area under the curve used to pick learning rates.
#pragma once

#include "cost_model.h"
#include "exit_policy.h"
#include "metrics.h"

#include <optional>
#include <vector>

namespace sweet::analysis {

struct CurvePoint {
  double threshold;  // the rule's parameter (confidence, normalized entropy, or k)
  double cost;       // cost fraction, 1 = full model
  double score;      // metric value in [0, 1] (MCC in [−1, 1])
};

// Points in ascending cost (thresholds are monotone in cost for all three rules).
struct Curve {
  ExitRule rule = ExitRule::Confidence;
  std::vector<CurvePoint> points;
  double minCost() const { return points.empty() ? 0 : points.front().cost; }
  double maxCost() const { return points.empty() ? 0 : points.back().cost; }
};

// The paper's sweep: 11 thresholds evenly spaced from 1/K to 1, both ends included.
std::vector<double> paperThresholds(int64_t numLabels);
// The patience rule's whole range: k = 1..E agreeing exits (PABEE's patience p = k - 1).
std::vector<double> patienceValues(int64_t exits);

// One point per parameter value (for Patience: k = 1..E), sorted by cost.
Curve thresholdCurve(ExitReplay& replay, const CostModel& cost, Metric metric, ExitRule rule,
                     const std::vector<double>& parameters);

// The exact curve of a threshold rule: one point per distinct threshold value at which some
// instance changes exit, plus the point above every value (everyone at the last exit). It
// spans [cost.minCost(), cost.maxCost()] exactly. O(N·E) after the cached event sort.
Curve exactCurve(ExitReplay& replay, const CostModel& cost, Metric metric,
                 ExitRule rule = ExitRule::Confidence);

// The cost fractions the paper tabulates: 1/12, 1/4, 1/2, 3/4, 1 (with 1/L_M first when it
// is not already there, e.g. 1/24 for 24-layer models, and values below 1/L_M, which no
// model of that depth reaches, dropped); for a cascade also 11/8 and 7/4.
std::vector<double> fixedCostFractions(int64_t numLayers, CostKind kind);

// Linear interpolation of the score at a cost fraction; std::nullopt outside
// [curve.minCost(), curve.maxCost()] (never extrapolated).
std::optional<double> scoreAtCost(const Curve& curve, double cost);

// The costs every one of `curves` reaches: [largest minCost, smallest maxCost]; nullopt when
// they share none (or there are no curves). Seeds and tasks are compared only there.
struct CostRange {
  double low = 0, high = 0;
};
std::optional<CostRange> sharedCostRange(const std::vector<const Curve*>& curves);
// How many costs the views sample a curve at: enough to draw it smoothly.
inline constexpr int kCurveSamples = 160;
// `samples` costs evenly spaced over the range, both ends included (one where it is a point).
std::vector<double> costGrid(const CostRange& range, int samples = kCurveSamples);

// ∫ score d(cost) over [from, to] of the piecewise-linear curve; std::nullopt unless the
// curve covers the whole range. Divide by (to − from) for the mean score over the range.
std::optional<double> areaUnderCurve(const Curve& curve, double from, double to);

}  // namespace sweet::analysis
