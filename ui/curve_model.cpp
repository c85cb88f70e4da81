// Speed-accuracy data: see curve_model.h. Every number comes from analysis/ (exit replay,
// cost model, exact curves, seed statistics); this file only groups and samples.
#include "ui/curve_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace sweet::ui {

std::string methodDisplayName(const std::string& method) {
  std::string out = method;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

void CurveModel::build(const std::vector<RunPtr>& runs) {
  series_.clear();
  std::vector<analysis::RunData> shallow;  // groupBySeed reads config only; copy without logits
  for (const RunPtr& run : runs) {
    analysis::RunData r;
    r.config = run->data.config;
    r.path = run->data.path;
    shallow.push_back(std::move(r));
  }
  const auto groups = analysis::groupBySeed(shallow);
  std::map<std::string, int> perMethod;
  for (const auto& g : groups) ++perMethod[runs[g.front()]->data.method];

  for (const auto& group : groups) {
    auto s = std::make_unique<CurveSeries>();
    const auto& first = runs[group.front()]->data;
    s->method = first.method;
    s->label = methodDisplayName(first.method);
    if (perMethod[first.method] > 1) {
      char lr[32];
      std::snprintf(lr, sizeof(lr), " lr=%g", first.learningRate);
      s->label += lr + (" " + first.task);
    }
    s->metric = analysis::metricFromName(first.metric);
    s->exitLayers = first.exitLayers;
    s->numLayers = first.numLayers;
    s->cost = std::make_unique<analysis::CostModel>(analysis::CostModel::forMethod(first.method, first.exitLayers));
    for (size_t idx : group) {
      const RunPtr& run = runs[idx];
      if (run->data.eval.empty() || run->data.exitLayers != first.exitLayers) continue;
      s->runs.push_back(run);
      s->replays.push_back(std::make_unique<analysis::ExitReplay>(run->data.eval));
      s->seedCurves.push_back(analysis::exactCurve(*s->replays.back(), *s->cost, s->metric));
    }
    if (s->runs.empty()) continue;
    // Common grid over the range every seed's curve covers; 160 samples draw smoothly.
    double lo = -1e300, hi = 1e300;
    for (const auto& c : s->seedCurves) lo = std::max(lo, c.minCost()), hi = std::min(hi, c.maxCost());
    const int samples = hi > lo ? 160 : 1;
    for (int i = 0; i < samples; ++i) {
      const double x = samples == 1 ? lo : lo + (hi - lo) * i / (samples - 1);
      std::vector<double> values;
      for (const auto& c : s->seedCurves)
        if (auto v = analysis::scoreAtCost(c, x)) values.push_back(*v);
      if (values.empty()) continue;
      const auto summary = analysis::summarize(values);
      s->gridCost.push_back(x);
      s->gridMean.push_back(summary.mean);
      s->gridLow.push_back(summary.ciLow().value_or(summary.mean));
      s->gridHigh.push_back(summary.ciHigh().value_or(summary.mean));
    }
    series_.push_back(std::move(s));
  }
}

ThresholdReadout CurveModel::readout(size_t index, double threshold) const {
  const CurveSeries& s = *series_.at(index);
  ThresholdReadout out;
  out.threshold = threshold;
  out.exitCounts.assign(s.exitLayers.size(), 0.0);
  const double n = static_cast<double>(s.replays.size());
  for (const auto& replay : s.replays) {
    const auto& a = replay->assignConfidence(threshold);
    out.cost += s.cost->costFraction(a.exitCounts) / n;
    out.score += replay->score(a, s.metric) / n;
    for (size_t e = 0; e < a.exitCounts.size(); ++e) out.exitCounts[e] += static_cast<double>(a.exitCounts[e]) / n;
    out.instances = replay->instances();
  }
  return out;
}

double CurveModel::thresholdForCost(size_t index, double cost) const {
  const auto& points = series_.at(index)->seedCurves.front().points;
  auto it = std::lower_bound(points.begin(), points.end(), cost,
                             [](const analysis::CurvePoint& p, double c) { return p.cost < c; });
  if (it == points.end()) return points.back().threshold;
  if (it != points.begin() && std::abs(std::prev(it)->cost - cost) < std::abs(it->cost - cost)) --it;
  return it->threshold;
}

std::optional<analysis::SeedSummary> CurveModel::scoreAtCost(size_t index, double cost) const {
  std::vector<double> values;
  for (const auto& c : series_.at(index)->seedCurves) {
    auto v = analysis::scoreAtCost(c, cost);
    if (!v) return std::nullopt;
    values.push_back(*v);
  }
  return analysis::summarize(values);
}

}  // namespace sweet::ui
