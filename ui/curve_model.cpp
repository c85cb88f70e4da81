// Speed-accuracy data: see curve_model.h. Every number comes from analysis/ (exit replay,
// cost model, exact curves, seed statistics); this file only groups and samples.
#include "ui/curve_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace sweet::ui {
namespace {

std::unique_ptr<ReadoutSweep> makeSweep(analysis::ExitReplay& replay) {
  auto sw = std::make_unique<ReadoutSweep>();
  sw->events = &replay.events(analysis::ExitRule::Confidence);
  const auto n = static_cast<size_t>(replay.instances());
  sw->exitOf.assign(n, 0);
  sw->from.resize(sw->events->size());
  for (size_t k = 0; k < sw->events->size(); ++k) {  // one pass to learn each event's origin
    const analysis::ExitEvent& ev = (*sw->events)[k];
    sw->from[k] = sw->exitOf[ev.instance];
    sw->exitOf[ev.instance] = ev.to;
  }
  std::fill(sw->exitOf.begin(), sw->exitOf.end(), 0);  // below every value: all at exit 0
  sw->counts.assign(static_cast<size_t>(replay.exits()), 0);
  sw->counts[0] = replay.instances();
  sw->confusion = std::make_unique<analysis::ConfusionMatrix>(replay.classes());
  for (size_t i = 0; i < n; ++i) {
    const int64_t label = replay.labels()[i], p = replay.prediction(0, static_cast<int64_t>(i));
    sw->confusion->add(label, p);
    sw->correct += p == label;
  }
  return sw;
}

// Moves one instance between exits, keeping counts, correct answers and confusion current.
void move(ReadoutSweep& sw, const analysis::ExitReplay& replay, uint32_t i, int32_t from, int32_t to) {
  const int64_t label = replay.labels()[i];
  const int32_t before = replay.prediction(from, i), after = replay.prediction(to, i);
  --sw.counts[static_cast<size_t>(from)];
  ++sw.counts[static_cast<size_t>(to)];
  sw.exitOf[i] = to;
  if (before != after) {
    sw.correct += (after == label) - (before == label);
    sw.confusion->add(label, before, -1);
    sw.confusion->add(label, after, 1);
  }
}

// Brings a sweep to `threshold`: an instance leaves at the first exit with confidence >= t,
// i.e. every event with value < t is in effect (the same rule as assignConfidence).
void seek(ReadoutSweep& sw, const analysis::ExitReplay& replay, double threshold) {
  const auto& ev = *sw.events;
  const auto target = static_cast<size_t>(
      std::lower_bound(ev.begin(), ev.end(), threshold,
                       [](const analysis::ExitEvent& e, double t) { return e.value < t; }) - ev.begin());
  for (; sw.applied < target; ++sw.applied) move(sw, replay, ev[sw.applied].instance, sw.from[sw.applied], ev[sw.applied].to);
  for (; sw.applied > target; --sw.applied) {
    const size_t k = sw.applied - 1;
    move(sw, replay, ev[k].instance, ev[k].to, sw.from[k]);
  }
}

}  // namespace

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
      s->sweeps.push_back(makeSweep(*s->replays.back()));
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
  for (size_t k = 0; k < s.replays.size(); ++k) {
    const analysis::ExitReplay& replay = *s.replays[k];
    ReadoutSweep& sw = *s.sweeps[k];
    seek(sw, replay, threshold);
    const double score = s.metric == analysis::Metric::Accuracy
                             ? static_cast<double>(sw.correct) / static_cast<double>(std::max<int64_t>(1, replay.instances()))
                             : sw.confusion->score(s.metric);
    out.cost += s.cost->costFraction(sw.counts) / n;
    out.score += score / n;
    for (size_t e = 0; e < sw.counts.size(); ++e) out.exitCounts[e] += static_cast<double>(sw.counts[e]) / n;
    out.instances = replay.instances();
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
