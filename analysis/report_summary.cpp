// One group of seeds summarised: each number measured per run becomes its mean, spread and
// 95% CI over the seeds. See report_stages.h.
#include "report_stages.h"

#include "run_naming.h"

#include <algorithm>
#include <stdexcept>

namespace sweet::analysis::report_stages {

namespace {

using Results = std::vector<const RunResult*>;

// What the group is: its first run's attributes, which every member must share.
GroupReport describeGroup(const RunData& first) {
  GroupReport g;
  g.method = methodLabel(first);
  g.task = first.task;
  g.model = modelDisplayName(first);
  g.metric = first.metric;
  g.exitLayers = first.exitLayers;
  g.numLayers = first.numLayers;
  g.learningRate = first.learningRate;
  g.trainCap = trainCapOf(first);
  g.trainCount = first.trainCount;
  g.secondaryMetric = secondaryMetricFor(first.task, first.metric);
  return g;
}

void addMember(GroupReport& g, const RunData& first, const RunData& run, const RunResult& result,
               std::vector<std::string>& notes) {
  if (run.exitLayers != first.exitLayers || run.metric != first.metric || run.method != first.method ||
      run.numLayers != first.numLayers || run.regression != first.regression)
    throw std::runtime_error(run.path + " and " + first.path +
                             " are grouped as seeds but differ in method, exits, depth or metric (refine --by)");
  if (g.learningRate && run.learningRate != *g.learningRate) g.learningRate.reset();
  if (std::find(g.seeds.begin(), g.seeds.end(), run.seed) != g.seeds.end())
    notes.push_back(run.path + ": seed " + std::to_string(run.seed) + " appears twice in group '" + first.task + " " +
                    first.method + "'");
  g.runPaths.push_back(run.path);
  g.seeds.push_back(run.seed);
  g.calibrationSchemes.push_back(result.calibration ? calibrationSchemeName(result.calibration->scheme) : "none");
}

// One number per run, e.g. an exit's score: values [run] in member order.
template <typename Field>
std::vector<double> valuesOf(const Results& rs, Field field) {
  std::vector<double> values;
  for (const RunResult* r : rs) values.push_back(field(*r));
  return values;
}

void summarizePerExit(GroupReport& g, const Results& rs) {
  for (size_t e = 0; e < g.exitLayers.size(); ++e) {
    const std::vector<double> values = valuesOf(rs, [e](const RunResult& r) { return r.perExit[e]; });
    g.perExit.push_back(summarize(values));
    g.perExitValues.push_back(values);
    if (!g.secondaryMetric.empty())
      g.perExitSecondary.push_back(summarize(valuesOf(rs, [e](const RunResult& r) { return r.perExitSecondary[e]; })));
  }
}

// A point some seed's curve does not reach is unavailable for the group: averaging only
// the seeds that reach it would bias the mean (summarizeAll).
std::vector<std::optional<double>> atCostOf(const Results& rs, size_t f,
                                            std::vector<std::optional<double>> RunResult::*points) {
  std::vector<std::optional<double>> perRun;
  for (const RunResult* r : rs) perRun.push_back((r->*points)[f]);
  return perRun;
}

void summarizeAtCost(GroupReport& g, const Results& rs) {
  g.costFractions = rs.front()->costFractions;
  const bool learned = std::all_of(rs.begin(), rs.end(), [](const RunResult* r) { return !r->atCostLearned.empty(); });
  for (size_t f = 0; f < g.costFractions.size(); ++f) {
    g.atCostValues.push_back(atCostOf(rs, f, &RunResult::atCost));
    g.atCost.push_back(summarizeAll(g.atCostValues.back()));
    if (!g.secondaryMetric.empty()) g.atCostSecondary.push_back(summarizeAll(atCostOf(rs, f, &RunResult::atCostSecondary)));
    if (learned) g.atCostLearned.push_back(summarizeAll(atCostOf(rs, f, &RunResult::atCostLearned)));
  }
}

void summarizeCalibration(GroupReport& g, const Results& rs) {
  for (size_t e = 0; e < g.exitLayers.size(); ++e) {
    auto over = [&](double ExitCalibration::*field) {
      return summarize(valuesOf(rs, [&](const RunResult& r) { return r.calibration->exits[e].*field; }));
    };
    g.calibration.push_back({over(&ExitCalibration::temperature), over(&ExitCalibration::nllBefore),
                             over(&ExitCalibration::nllAfter), over(&ExitCalibration::eceBefore),
                             over(&ExitCalibration::eceAfter)});
  }
}

}  // namespace

GroupReport summarizeGroup(const std::vector<RunData>& runs, const std::vector<RunResult>& results,
                           const std::vector<size_t>& members, const ReportOptions& options, bool capInLabel,
                           std::vector<std::string>& notes) {
  const RunData& first = runs[members.front()];
  GroupReport g = describeGroup(first);
  Results rs;
  for (size_t r : members) {
    addMember(g, first, runs[r], results[r], notes);
    rs.push_back(&results[r]);
  }
  g.label = g.task + " " + g.method + " lr=" + (g.learningRate ? formatLearningRate(*g.learningRate) : "mixed") + " " + g.model;
  if (capInLabel) g.label += " cap=" + std::to_string(g.trainCap);
  summarizePerExit(g, rs);
  summarizeAtCost(g, rs);
  g.auc = summarize(valuesOf(rs, [](const RunResult& r) { return r.auc; }));
  if (options.calibrate && !first.regression) summarizeCalibration(g, rs);
  return g;
}

}  // namespace sweet::analysis::report_stages
