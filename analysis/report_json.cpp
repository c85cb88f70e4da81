// The report as JSON for further processing: raw fractions, every group, average, gap,
// learning-rate choice and speed measurement as an object.
#include "report_writers.h"

#include <nlohmann/json.hpp>

namespace sweet::analysis::report_writers {

namespace {

using nlohmann::json;

json summaryJson(const std::optional<SeedSummary>& s) {
  if (!s) return nullptr;
  json j = {{"n", s->n}, {"mean", s->mean}, {"std", nullptr}, {"ci95", nullptr}};
  if (s->std) j["std"] = *s->std;
  if (s->ciHalfWidth) j["ci95"] = {*s->ciLow(), *s->ciHigh()};
  return j;
}

json optionalJson(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json groupJson(const GroupReport& g, bool calibrated) {
  json j = {{"label", g.label}, {"task", g.task}, {"method", g.method}, {"model", g.model},
            {"metric", g.metric}, {"learning_rate", optionalJson(g.learningRate)},
            {"exit_layers", g.exitLayers}, {"seeds", g.seeds}, {"runs", g.runPaths},
            {"per_exit", json::array()}, {"at_cost", json::array()},
            {"auc", summaryJson(g.auc)}, {"train_cap", g.trainCap}, {"train_count", g.trainCount},
            {"num_layers", g.numLayers}, {"calibration_schemes", g.calibrationSchemes},
            {"secondary_metric", g.secondaryMetric.empty() ? json(nullptr) : json(g.secondaryMetric)},
            {"per_exit_secondary", json::array()}};
  for (const SeedSummary& s : g.perExit) j["per_exit"].push_back(summaryJson(s));
  for (const SeedSummary& s : g.perExitSecondary) j["per_exit_secondary"].push_back(summaryJson(s));
  for (size_t f = 0; f < g.costFractions.size(); ++f) {
    json point = {{"cost_fraction", g.costFractions[f]}, {"speedup", 1 / g.costFractions[f]}, {"score", summaryJson(g.atCost[f])}};
    if (f < g.atCostSecondary.size()) point["secondary"] = summaryJson(g.atCostSecondary[f]);
    if (f < g.atCostLearned.size()) point["learned_exit"] = summaryJson(g.atCostLearned[f]);
    j["at_cost"].push_back(point);
  }
  if (!calibrated) return j;
  j["calibration"] = json::array();
  for (const CalibrationSummary& c : g.calibration)
    j["calibration"].push_back({{"temperature", summaryJson(c.temperature)}, {"nll_before", summaryJson(c.nllBefore)},
                                {"nll_after", summaryJson(c.nllAfter)}, {"ece_before", summaryJson(c.eceBefore)},
                                {"ece_after", summaryJson(c.eceAfter)}});
  return j;
}

json averageJson(const TaskAverage& a) {
  json j = {{"model", a.model}, {"method", a.method}, {"train_cap", a.trainCap}, {"tasks", a.tasks},
            {"exit_layers", a.exitLayers}, {"seeds", a.seeds}, {"per_exit", json::array()},
            {"per_exit_by_task", a.perExitByTask}, {"at_cost", json::array()}};
  for (const SeedSummary& s : a.perExit) j["per_exit"].push_back(summaryJson(s));
  for (size_t f = 0; f < a.costFractions.size(); ++f) {
    json byTask = json::array();
    for (const auto& row : a.atCostByTask) byTask.push_back(optionalJson(row[f]));
    j["at_cost"].push_back({{"cost_fraction", a.costFractions[f]}, {"speedup", 1 / a.costFractions[f]},
                            {"score", summaryJson(a.atCost[f])}, {"by_task", byTask}});
  }
  return j;
}

json gapJson(const MethodGap& gap) {
  json per = json::array();
  for (const auto& d : gap.perExit) per.push_back(optionalJson(d));
  return {{"task", gap.task}, {"model", gap.model}, {"method", gap.method}, {"train_cap", gap.trainCap}, {"per_exit", per}};
}

json learningRateJson(const LrSelection& s) {
  json candidates = json::array();
  for (const LrCandidate& c : s.candidates) candidates.push_back({{"learning_rate", c.learningRate}, {"auc", summaryJson(c.auc)}});
  return {{"task", s.task}, {"method", s.method}, {"model", s.model}, {"train_cap", s.trainCap},
          {"chosen", s.chosenLearningRate()}, {"candidates", candidates}};
}

json speedJson(const RunSpeed& run, const SpeedMeasurement& m) {
  json points = json::array();
  for (const SpeedPoint& p : m.points)
    points.push_back({{"threshold", p.threshold}, {"layer_speedup", p.layerSpeedup},
                      {"measured_speedup", p.measuredSpeedup}, {"seconds", p.seconds},
                      {"instances_per_second", p.instancesPerSecond}, {"score", p.score},
                      {"exit_counts", p.exitCounts}});
  return {{"run", run.runPath}, {"group", run.groupLabel}, {"name", m.name}, {"device", m.device},
          {"batch_size", m.batchSize}, {"threads", m.threads}, {"instances", m.instances},
          {"calibrated", m.calibrated}, {"rebatch", m.rebatch}, {"baseline_seconds", m.baselineSeconds}, {"points", points}};
}

}  // namespace

std::string jsonReport(const Report& r) {
  json out = {{"grouping", r.grouping}, {"exact_curve", r.exactCurve}, {"calibrated", r.calibrated},
              {"calibration", {{"enabled", r.calibrated},
                               {"split", r.calibrationSplit == CalibrationSplit::Eval ? "eval" : "held-out or cross-fit"},
                               {"summary", r.calibrationSummary}}},
              {"task_averages", json::array()}, {"groups", json::array()}, {"gaps_vs_ee", json::array()},
              {"learning_rates", json::array()}, {"notes", r.notes}, {"measured_speed", json::array()}};
  for (const GroupReport& g : r.groups) out["groups"].push_back(groupJson(g, r.calibrated));
  for (const TaskAverage& a : r.taskAverages) out["task_averages"].push_back(averageJson(a));
  for (const MethodGap& gap : r.gaps) out["gaps_vs_ee"].push_back(gapJson(gap));
  for (const LrSelection& s : r.learningRates) out["learning_rates"].push_back(learningRateJson(s));
  for (const RunSpeed& run : r.speed)
    for (const SpeedMeasurement& m : run.measurements) out["measured_speed"].push_back(speedJson(run, m));
  return out.dump(2) + "\n";
}

}  // namespace sweet::analysis::report_writers
