// Builds the report data from runs: see report.h. Printing lives in report_format.cpp.
#include "report.h"

#include "cost_model.h"
#include "exit_policy.h"
#include "metrics.h"
#include "speed_accuracy_curve.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace sweet::analysis {

namespace {

// Everything measured on one run; groups then summarise these over seeds.
struct RunResult {
  std::vector<double> perExit;
  std::vector<double> costFractions;
  std::vector<std::optional<double>> atCost;
  double auc = 0;
  std::optional<CalibrationResult> calibration;
};

RunResult measure(const RunData& run, const ReportOptions& options) {
  RunResult result;
  if (options.calibrate) result.calibration = calibrate(run, options.calibrationSplit);
  const Metric metric = metricFromName(run.metric);
  const CostModel cost = CostModel::forMethod(run.method, run.exitLayers);
  ExitReplay replay(run.eval, result.calibration ? result.calibration->temperatures() : std::vector<double>{});
  for (int64_t e = 0; e < run.exits(); ++e) result.perExit.push_back(replay.score(replay.assignFixedExit(e), metric));
  const Curve curve = options.exactCurve
                          ? exactCurve(replay, cost, metric, ExitRule::Confidence)
                          : thresholdCurve(replay, cost, metric, ExitRule::Confidence, paperThresholds(run.numLabels));
  result.costFractions = fixedCostFractions(run.numLayers, cost.kind());
  for (double f : result.costFractions) result.atCost.push_back(scoreAtCost(curve, f));
  result.auc = selectionAuc(replay, cost, metric);
  return result;
}

std::string formatLr(double lr) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", lr);
  return buffer;
}

std::string groupKey(const RunData& run, const std::vector<std::string>& by) {
  std::string key;
  for (const std::string& field : by) {
    if (field == "method") key += run.method;
    else if (field == "task") key += run.task;
    else if (field == "lr") key += formatLr(run.learningRate);
    else if (field == "model") key += modelName(run);
    else throw std::runtime_error("unknown --by key '" + field + "' (expected method, task, lr or model)");
    key += '\x1f';
  }
  return key;
}

int methodRank(const std::string& method) { return method == "ee" ? 0 : method == "mm" ? 1 : 2; }

const GroupReport* pickGroup(const std::vector<GroupReport>& groups, const std::vector<LrSelection>& selections,
                             const std::string& model, const std::string& task, const std::string& method) {
  std::optional<double> chosen;
  for (const LrSelection& s : selections)
    if (s.model == model && s.task == task && s.method == method) chosen = s.chosenLearningRate();
  const GroupReport* first = nullptr;
  for (const GroupReport& g : groups) {
    if (g.model != model || g.task != task || g.method != method) continue;
    if (!first) first = &g;
    if (chosen && g.learningRate && *g.learningRate == *chosen) return &g;
  }
  return first;
}

SeedSummary summarizeField(const std::vector<const RunResult*>& results, size_t exit,
                           double (*field)(const CalibrationResult&, size_t)) {
  std::vector<double> values;
  for (const RunResult* r : results) values.push_back(field(*r->calibration, exit));
  return summarize(values);
}

}  // namespace

ReportFormat reportFormatFromName(const std::string& name) {
  if (name == "text") return ReportFormat::Text;
  if (name == "csv") return ReportFormat::Csv;
  if (name == "json") return ReportFormat::Json;
  if (name == "latex") return ReportFormat::Latex;
  throw std::runtime_error("unknown format '" + name + "' (expected text, csv, json or latex)");
}

std::string modelName(const RunData& run) {
  if (run.config.is_object() && run.config.contains("model") && run.config["model"].is_string()) {
    std::string model = run.config["model"].get<std::string>();
    while (!model.empty() && model.back() == '/') model.pop_back();
    const size_t slash = model.find_last_of('/');
    model = slash == std::string::npos ? model : model.substr(slash + 1);
    if (!model.empty()) return model;
  }
  return std::to_string(run.numLayers) + "L";
}

// An unfinished run has no final logits to score: it is left out of the tables, and a note
// says how far it got and what it does hold.
std::string unfinishedNote(const RunData& run) {
  std::string note = run.path + ": " + unfinishedReason(run) + "; not in the tables";
  if (run.trainSteps > 0) {
    note += "; it has the training loss of " + std::to_string(run.trainSteps) + " steps (last, per exit:";
    for (int64_t e = 0; e < run.exits(); ++e) {
      char value[32];
      std::snprintf(value, sizeof value, " %.4g", run.trainLoss[static_cast<size_t>((run.trainSteps - 1) * run.exits() + e)]);
      note += value;
    }
    note += ")";
  }
  if (run.hasGradients) note += " and gradient records (sweet gradients " + run.path + ")";
  return note;
}

namespace {

Report buildFinishedReport(const std::vector<RunData>& runs, const ReportOptions& options);

}  // namespace

Report buildReport(const std::vector<RunData>& runs, const ReportOptions& options) {
  if (runs.empty()) throw std::runtime_error("no run files given");
  std::vector<std::string> unfinished;
  for (const RunData& run : runs)
    if (!run.evalDone) unfinished.push_back(unfinishedNote(run));
  if (unfinished.empty()) return buildFinishedReport(runs, options);
  std::vector<RunData> finished;
  for (const RunData& run : runs)
    if (run.evalDone) finished.push_back(run);
  if (finished.empty()) {
    std::string all;
    for (const std::string& note : unfinished) all += (all.empty() ? "" : "\n") + note;
    throw std::runtime_error("no run reached its evaluation:\n" + all);
  }
  Report report = buildFinishedReport(finished, options);
  report.notes.insert(report.notes.begin(), unfinished.begin(), unfinished.end());
  return report;
}

namespace {

Report buildFinishedReport(const std::vector<RunData>& runs, const ReportOptions& options) {
  Report report;
  report.calibrated = options.calibrate;
  report.calibrationSplit = options.calibrationSplit;
  report.exactCurve = options.exactCurve;

  std::vector<RunResult> results;
  for (const RunData& run : runs) {
    try {
      results.push_back(measure(run, options));
    } catch (const std::invalid_argument& e) {  // e.g. non-finite logits of a diverged run
      throw std::runtime_error(run.path + ": " + e.what());
    }
    if (run.status.state != RunState::Finished || !run.evalDone)
      report.notes.push_back(run.path + ": not a finished run (state " + std::to_string(static_cast<int>(run.status.state)) +
                             ", step " + std::to_string(run.status.stepsDone) + "/" + std::to_string(run.status.totalSteps) +
                             (run.evalDone ? "" : ", eval logits not final") + ")");
  }

  std::vector<std::vector<size_t>> members;
  if (options.by.empty()) {
    members = groupBySeed(runs);
    report.grouping = "runs whose configs differ only in seed and output paths";
  } else {
    std::map<std::string, size_t> index;
    for (size_t r = 0; r < runs.size(); ++r) {
      auto [it, inserted] = index.emplace(groupKey(runs[r], options.by), members.size());
      if (inserted) members.emplace_back();
      members[it->second].push_back(r);
    }
    report.grouping = "runs with equal";
    for (const std::string& field : options.by) report.grouping += " " + field;
  }

  std::vector<AucObservation> observations;
  for (size_t r = 0; r < runs.size(); ++r)
    observations.push_back({modelName(runs[r]), runs[r].method, runs[r].task, runs[r].learningRate, results[r].auc});
  report.learningRates = selectLearningRates(observations);

  for (const std::vector<size_t>& group : members) {
    const RunData& first = runs[group.front()];
    GroupReport g;
    g.method = first.method;
    g.task = first.task;
    g.model = modelName(first);
    g.metric = first.metric;
    g.exitLayers = first.exitLayers;
    g.learningRate = first.learningRate;
    std::vector<const RunResult*> rs;
    for (size_t r : group) {
      const RunData& run = runs[r];
      if (run.exitLayers != first.exitLayers || run.metric != first.metric || run.method != first.method)
        throw std::runtime_error(run.path + " and " + first.path +
                                 " are grouped as seeds but differ in method, exits or metric (refine --by)");
      if (g.learningRate && run.learningRate != *g.learningRate) g.learningRate.reset();
      if (std::find(g.seeds.begin(), g.seeds.end(), run.seed) != g.seeds.end())
        report.notes.push_back(run.path + ": seed " + std::to_string(run.seed) + " appears twice in group '" +
                               first.task + " " + first.method + "'");
      g.runPaths.push_back(run.path);
      g.seeds.push_back(run.seed);
      rs.push_back(&results[r]);
    }
    g.label = g.task + " " + g.method + " lr=" + (g.learningRate ? formatLr(*g.learningRate) : "mixed") + " " + g.model;
    for (size_t e = 0; e < g.exitLayers.size(); ++e) {
      std::vector<double> values;
      for (const RunResult* r : rs) values.push_back(r->perExit[e]);
      g.perExit.push_back(summarize(values));
    }
    g.costFractions = rs.front()->costFractions;
    for (size_t f = 0; f < g.costFractions.size(); ++f) {
      std::vector<double> values;
      for (const RunResult* r : rs)
        if (r->atCost[f]) values.push_back(*r->atCost[f]);
      // A point some seed's curve does not reach is unavailable for the group: averaging
      // only the seeds that reach it would bias the mean.
      g.atCost.push_back(values.size() == rs.size() ? std::optional<SeedSummary>(summarize(values)) : std::nullopt);
    }
    std::vector<double> aucs;
    for (const RunResult* r : rs) aucs.push_back(r->auc);
    g.auc = summarize(aucs);
    if (options.calibrate)
      for (size_t e = 0; e < g.exitLayers.size(); ++e)
        g.calibration.push_back(
            {summarizeField(rs, e, [](const CalibrationResult& c, size_t x) { return c.exits[x].temperature; }),
             summarizeField(rs, e, [](const CalibrationResult& c, size_t x) { return c.exits[x].nllBefore; }),
             summarizeField(rs, e, [](const CalibrationResult& c, size_t x) { return c.exits[x].nllAfter; }),
             summarizeField(rs, e, [](const CalibrationResult& c, size_t x) { return c.exits[x].eceBefore; }),
             summarizeField(rs, e, [](const CalibrationResult& c, size_t x) { return c.exits[x].eceAfter; })});
    report.groups.push_back(std::move(g));
  }
  std::stable_sort(report.groups.begin(), report.groups.end(), [](const GroupReport& a, const GroupReport& b) {
    if (a.task != b.task) return a.task < b.task;
    if (a.model != b.model) return a.model < b.model;
    if (a.method != b.method) return methodRank(a.method) < methodRank(b.method);
    return a.learningRate.value_or(0) < b.learningRate.value_or(0);
  });

  // Gaps per (model, task), each method at its chosen learning rate.
  std::vector<std::pair<std::string, std::string>> seen;
  for (const GroupReport& g : report.groups) {
    if (std::find(seen.begin(), seen.end(), std::make_pair(g.model, g.task)) != seen.end()) continue;
    seen.emplace_back(g.model, g.task);
    const GroupReport* ee = pickGroup(report.groups, report.learningRates, g.model, g.task, "ee");
    if (!ee) continue;
    for (const char* method : {"mm", "sweet"}) {
      const GroupReport* other = pickGroup(report.groups, report.learningRates, g.model, g.task, method);
      if (!other) continue;
      MethodGap gap{g.model, g.task, method, {}};
      for (size_t e = 0; e < ee->perExit.size(); ++e)
        gap.perExit.push_back(other->perExit.size() == ee->perExit.size()
                                  ? std::optional<double>(other->perExit[e].mean - ee->perExit[e].mean)
                                  : std::nullopt);
      report.gaps.push_back(std::move(gap));
    }
  }
  return report;
}

}  // namespace

}  // namespace sweet::analysis
