// Speed-accuracy data: see curve_model.h. Every number comes from analysis/ (exit replay,
// cost model, exact curves, seed statistics); this file only groups and samples.
#include "ui/curve_model.h"

#include "analysis/lte_threshold_rule.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace sweet::ui {

void CurveModel::build(const std::vector<RunPtr>& runs, const CurveOptions& options,
                       const std::optional<std::vector<RunGroup>>& groups, const std::function<bool()>& stop) {
  series_.clear();
  notes_.clear();
  options_ = options;
  std::vector<RunPtr> evaluated;
  for (const RunPtr& run : runs) {
    if (run->data.regression)  // no softmax confidences: no exiting rule, no curve
      notes_.push_back(run->data.runName + ": regression task (" + run->data.task +
                       "): no confidence curve exists; the exit table shows its per-exit Pearson and Spearman");
    else if (run->data.hasEvaluation()) evaluated.push_back(run);
    else notes_.push_back(run->data.runName + ": no evaluation yet (" + analysis::unfinishedReason(run->data) + ")");
  }
  std::vector<RunGroup> plan;
  if (groups) {
    plan = *groups;
  } else {
    RunCatalog catalog;
    std::vector<const analysis::RunData*> data;
    for (const RunPtr& run : evaluated) data.push_back(&run->data);
    catalog.setRuns(data);
    plan = catalog.groups("");
  }

  for (const RunGroup& planned : plan) {
    std::vector<RunPtr> group;  // the group's evaluated runs, in its order
    for (const std::string& path : planned.paths)
      for (const RunPtr& run : evaluated)
        if (run->data.path == path) group.push_back(run);
    if (group.empty()) continue;
    auto s = std::make_unique<CurveSeries>();
    const auto& first = group.front()->data;
    s->method = first.method;
    s->label = planned.label;
    s->variant = planned.variant;
    s->metric = analysis::metricFromName(first.metric);
    s->exitLayers = first.exitLayers;
    s->numLayers = first.numLayers;
    s->cost = std::make_unique<analysis::CostModel>(
        analysis::CostModel::forMethod(first.method, first.exitLayers, first.numLayers));
    s->costFractions = analysis::fixedCostFractions(first.numLayers, s->cost->kind());
    for (const RunPtr& run : group) {
      if (stop && stop()) return;
      if (run->data.exitLayers != first.exitLayers) continue;
      try {
        const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(options.rule);
        // Temperatures change only what a rule reads from the softmax: for the others (LTE
        // scores, patience's argmax agreement) no fit is spent.
        std::vector<double> temperatures;
        if (!rule.usesTemperatures) {
          s->calibration = rule.scoreSource;
        } else if (options.calibrate) {
          const analysis::CalibrationResult fit = analysis::calibrate(run->data);
          temperatures = fit.replayTemperatures();
          s->calibration = std::string("temperature-scaled (") + analysis::calibrationSchemeName(fit.scheme) + ")";
        } else {
          s->calibration = "raw softmax";
        }
        if (rule.needsLearnedScores && run->data.lteScores.empty()) {
          notes_.push_back(run->data.runName + ": no learning-to-exit scores (trained without lte.enabled)");
          continue;
        }
        auto replay = std::make_unique<analysis::ExitReplay>(run->data.eval, temperatures);
        // LTE scores as the run's threshold rule reads them (per-exit min-max by default).
        const bool minmaxSweep = rule.needsLearnedScores &&
                                 analysis::lteThresholdRule(run->data) == analysis::LteThresholdRule::MinMax;
        if (rule.needsLearnedScores) replay->setLearnedScores(analysis::lteScoresForRule(run->data));
        // A rule without threshold events (patience) has no sweep: its curve is its E points
        // (k = 1..E agreeing exits), and its readout a fresh assignment per k.
        analysis::Curve exact = rule.thresholdEvents
                                    ? analysis::exactCurve(*replay, *s->cost, s->metric, options.rule)
                                    : analysis::thresholdCurve(*replay, *s->cost, s->metric, options.rule,
                                                               analysis::patienceValues(replay->exits()));
        analysis::Curve shown = options.exactCurve || !(rule.paperSweep || minmaxSweep)
                                    ? exact
                                    : analysis::thresholdCurve(*replay, *s->cost, s->metric, options.rule,
                                                               minmaxSweep ? analysis::minmaxThresholds()
                                                                           : analysis::paperThresholds(run->data.numLabels));
        if (rule.thresholdEvents) s->sweeps.push_back(std::make_unique<analysis::ExitSweep>(*replay, options.rule));
        s->replays.push_back(std::move(replay));
        s->exactCurves.push_back(std::move(exact));
        s->seedCurves.push_back(std::move(shown));
        s->runs.push_back(run);
        s->interim = s->interim || !run->data.evalDone;
      } catch (const std::exception& e) {
        notes_.push_back(run->data.runName + ": left out: " + e.what());
      }
    }
    if (s->runs.empty()) continue;
    if (s->interim) {
      int64_t step = 0;
      for (const RunPtr& run : s->runs) step = std::max(step, run->data.evalStep);
      s->label += " (interim, step " + std::to_string(step) + ")";
    }
    // Common grid over the range every seed's curve covers.
    std::vector<const analysis::Curve*> curves;
    for (const auto& c : s->seedCurves) curves.push_back(&c);
    const auto range = analysis::sharedCostRange(curves);
    for (double x : range ? analysis::costGrid(*range) : std::vector<double>{}) {
      const auto summary = analysis::seedSummaryAtCost(s->seedCurves, x);
      if (!summary) continue;  // not inside the shared range: never a mean over some seeds
      s->gridCost.push_back(x);
      s->gridMean.push_back(summary->mean);
      s->gridLow.push_back(summary->ciLow().value_or(summary->mean));
      s->gridHigh.push_back(summary->ciHigh().value_or(summary->mean));
    }
    series_.push_back(std::move(s));
  }
}

ThresholdReadout CurveModel::readout(size_t index, double threshold) {
  const CurveSeries& s = *series_.at(index);
  ThresholdReadout out;
  out.threshold = threshold;
  out.exitCounts.assign(s.exitLayers.size(), 0.0);
  const double n = static_cast<double>(s.replays.size());
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(options_.rule);
  if (!rule.thresholdEvents) {  // no sweep to seek: a fresh assignment at the nearest valid k
    const analysis::ThresholdRange range = rule.range(static_cast<int64_t>(s.exitLayers.size()));
    out.threshold = std::clamp(rule.integerParameter() ? std::round(threshold) : threshold, range.low, range.high);
    for (const auto& replay : s.replays) {
      const analysis::ExitAssignment& a = replay->assign(options_.rule, out.threshold);
      out.cost += s.cost->costFraction(a.exitCounts) / n;
      out.score += replay->score(a, s.metric) / n;
      for (size_t e = 0; e < a.exitCounts.size(); ++e) out.exitCounts[e] += static_cast<double>(a.exitCounts[e]) / n;
      out.instances = replay->instances();
    }
    return out;
  }
  for (const auto& sweep : s.sweeps) {
    sweep->seek(threshold);
    out.cost += s.cost->costFraction(sweep->exitCounts()) / n;
    out.score += sweep->score(s.metric) / n;
    for (size_t e = 0; e < sweep->exitCounts().size(); ++e) out.exitCounts[e] += static_cast<double>(sweep->exitCounts()[e]) / n;
    out.instances = sweep->instances();
  }
  return out;
}

ThresholdReadout CurveModel::readoutAtCost(size_t index, double cost) {
  return readout(index, thresholdForCost(index, cost));
}

double CurveModel::thresholdForCost(size_t index, double cost) const {
  const auto& points = series_.at(index)->exactCurves.front().points;
  auto it = std::lower_bound(points.begin(), points.end(), cost,
                             [](const analysis::CurvePoint& p, double c) { return p.cost < c; });
  if (it == points.end()) return points.back().threshold;
  if (it != points.begin() && std::abs(std::prev(it)->cost - cost) < std::abs(it->cost - cost)) --it;
  return it->threshold;
}

std::optional<analysis::SeedSummary> CurveModel::scoreAtCost(size_t index, double cost) const {
  return analysis::seedSummaryAtCost(series_.at(index)->seedCurves, cost);
}

std::optional<MeasuredCurve> CurveModel::measuredCurve(size_t index, const std::string& name) const {
  MeasuredCurve out;
  const std::vector<analysis::SpeedPoint>* first = nullptr;
  for (const RunPtr& run : series_.at(index)->runs)
    for (const analysis::SpeedMeasurement& m : run->data.speed) {
      if (m.name != name || m.points.empty()) continue;
      if (!first) {
        first = &m.points;
        out.measuredSpeedup.assign(first->size(), 0.0);
        out.layerSpeedup.assign(first->size(), 0.0);
        out.score.assign(first->size(), 0.0);
        for (const auto& p : *first) out.threshold.push_back(p.threshold);
      }
      bool same = m.points.size() == first->size();
      for (size_t p = 0; same && p < first->size(); ++p) same = m.points[p].threshold == (*first)[p].threshold;
      if (!same) continue;  // other thresholds: averaging point by point would mix them
      for (size_t p = 0; p < first->size(); ++p) {
        out.measuredSpeedup[p] += m.points[p].measuredSpeedup;
        out.layerSpeedup[p] += m.points[p].layerSpeedup;
        out.score[p] += m.points[p].score;
      }
      ++out.seeds;
    }
  if (out.seeds == 0) return std::nullopt;
  for (auto* v : {&out.measuredSpeedup, &out.layerSpeedup, &out.score})
    for (double& x : *v) x /= out.seeds;
  return out;
}

std::vector<std::string> CurveModel::measurementNames() const {
  std::set<std::string> names;
  for (const auto& s : series_)
    for (const RunPtr& run : s->runs)
      for (const analysis::SpeedMeasurement& m : run->data.speed) names.insert(m.name);
  return {names.begin(), names.end()};
}

}  // namespace sweet::ui
