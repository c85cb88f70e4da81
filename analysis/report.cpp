// Builds the report data from runs: see report.h. Printing lives in report_format.cpp.
#include "report.h"

#include "cost_model.h"
#include "exit_policy.h"
#include "metrics.h"
#include "run_naming.h"
#include "speed_accuracy_curve.h"

#include <algorithm>
#include <limits>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <tuple>

namespace sweet::analysis {

namespace {

// Everything measured on one run; groups then summarise these over seeds.
struct RunResult {
  std::vector<double> perExit, perExitSecondary;
  std::vector<double> costFractions;
  std::vector<std::optional<double>> atCost, atCostSecondary, atCostLearned;
  double auc = 0;
  std::optional<CalibrationResult> calibration;
};

// A regression run (STS-B) has one predicted value per exit: each exit's Pearson r, and
// Spearman's rho as the secondary score. Without softmax confidences there is no exiting
// rule, so its fixed-cost points are absent and it takes no part in learning-rate choice.
RunResult measureRegression(const RunData& run) {
  RunResult result;
  const int64_t N = run.eval.instances;
  const std::vector<double> truth(run.eval.targets.begin(), run.eval.targets.end());
  for (int64_t e = 0; e < run.exits(); ++e) {
    std::vector<double> predicted(static_cast<size_t>(N));
    for (int64_t i = 0; i < N; ++i) predicted[static_cast<size_t>(i)] = run.eval.row(e, i)[0];
    if (!std::all_of(predicted.begin(), predicted.end(), [](double v) { return std::isfinite(v); }))
      throw std::invalid_argument("exit " + std::to_string(e) + " predicts a non-finite value");
    result.perExit.push_back(pearson(predicted, truth));
    result.perExitSecondary.push_back(spearman(predicted, truth));
  }
  result.costFractions = fixedCostFractions(run.numLayers, CostModel::forMethod(run.method, run.exitLayers, run.numLayers).kind());
  result.atCost.assign(result.costFractions.size(), std::nullopt);
  result.atCostSecondary.assign(result.costFractions.size(), std::nullopt);
  result.auc = std::numeric_limits<double>::quiet_NaN();
  return result;
}

RunResult measure(const RunData& run, const ReportOptions& options) {
  if (run.regression) return measureRegression(run);
  RunResult result;
  if (options.calibrate) result.calibration = calibrate(run, options.calibrationSplit);
  const Metric metric = metricFromName(run.metric);
  const CostModel cost = CostModel::forMethod(run.method, run.exitLayers, run.numLayers);
  ExitReplay replay(run.eval, result.calibration ? result.calibration->replayTemperatures() : std::vector<double>{});
  const std::string secondary = secondaryMetricFor(run.task, run.metric);
  for (int64_t e = 0; e < run.exits(); ++e) {
    result.perExit.push_back(replay.score(replay.assignFixedExit(e), metric));
    if (!secondary.empty()) result.perExitSecondary.push_back(replay.score(replay.current(), metricFromName(secondary)));
  }
  auto curveOf = [&](Metric m) {
    return options.exactCurve ? exactCurve(replay, cost, m, ExitRule::Confidence)
                              : thresholdCurve(replay, cost, m, ExitRule::Confidence, paperThresholds(run.numLabels));
  };
  const Curve curve = curveOf(metric);
  result.costFractions = fixedCostFractions(run.numLayers, cost.kind());
  for (double f : result.costFractions) result.atCost.push_back(scoreAtCost(curve, f));
  if (!secondary.empty()) {
    // Same thresholds, other score: F1 where the speed-accuracy curve puts a cost fraction.
    const Curve secondaryCurve = curveOf(metricFromName(secondary));
    for (double f : result.costFractions) result.atCostSecondary.push_back(scoreAtCost(secondaryCurve, f));
  }
  result.auc = selectionAuc(replay, cost, metric);
  if (!run.lteScores.empty()) {
    // LTE scores are no softmax probabilities, so the paper's fixed threshold grid does not
    // fit them: the exact curve over every threshold the scores take.
    replay.setLearnedScores(run.lteScores);
    const Curve learned = exactCurve(replay, cost, metric, ExitRule::Learned);
    for (double f : result.costFractions) result.atCostLearned.push_back(scoreAtCost(learned, f));
  }
  return result;
}

int64_t trainCapOf(const RunData& run) {
  if (run.config.is_object() && run.config.contains("train_cap") && run.config["train_cap"].is_number_integer())
    return run.config["train_cap"].get<int64_t>();
  return 0;
}

std::string groupKey(const RunData& run, const std::vector<std::string>& by) {
  std::string key;
  for (const std::string& field : by) {
    if (field == "method") key += run.method;
    else if (field == "task") key += run.task;
    else if (field == "lr") key += formatLearningRate(run.learningRate);
    else if (field == "model") key += modelDisplayName(run);
    else if (field == "cap") key += std::to_string(trainCapOf(run));
    else throw std::runtime_error("unknown --by key '" + field + "' (expected method, task, lr, model or cap)");
    key += '\x1f';
  }
  return key;
}

const GroupReport* pickGroup(const std::vector<GroupReport>& groups, const std::vector<LrSelection>& selections,
                             const std::string& model, const std::string& task, const std::string& method,
                             int64_t cap) {
  std::optional<double> chosen;
  for (const LrSelection& s : selections)
    if (s.model == model && s.task == task && s.method == method && s.trainCap == cap) chosen = s.chosenLearningRate();
  const GroupReport* first = nullptr;
  for (const GroupReport& g : groups) {
    if (g.model != model || g.task != task || g.method != method || g.trainCap != cap) continue;
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

std::string secondaryMetricFor(const std::string& task, const std::string& metric) {
  if (metric == "pearson") return "spearman";
  return (task == "mrpc" || task == "qqp") && metric == "accuracy" ? "f1" : "";
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

// Means over the seeds every task has: per seed the mean over tasks, then summarize (see
// TaskAverage). `value(task, run)` is that task's number for one run, or nullopt.
template <typename ValueOf>
std::optional<SeedSummary> averageOverTasks(const std::vector<const GroupReport*>& tasks,
                                            const std::vector<int64_t>& seeds, ValueOf value) {
  std::vector<double> perSeed;
  for (int64_t seed : seeds) {
    double sum = 0;
    for (const GroupReport* g : tasks) {
      const size_t run = static_cast<size_t>(std::find(g->seeds.begin(), g->seeds.end(), seed) - g->seeds.begin());
      const std::optional<double> v = value(*g, run);
      if (!v) return std::nullopt;
      sum += *v;
    }
    perSeed.push_back(sum / static_cast<double>(tasks.size()));
  }
  if (perSeed.empty()) return std::nullopt;
  return summarize(perSeed);
}

void addTaskAverages(Report& report) {
  std::vector<std::tuple<std::string, std::string, int64_t>> keys;
  for (const GroupReport& g : report.groups) {
    auto key = std::make_tuple(g.model, g.method, g.trainCap);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  for (const auto& [model, method, cap] : keys) {
    std::vector<const GroupReport*> chosen;
    for (const GroupReport& g : report.groups) {
      if (g.model != model || g.method != method || g.trainCap != cap) continue;
      bool seen = false;
      for (const GroupReport* c : chosen) seen = seen || c->task == g.task;
      if (!seen) chosen.push_back(pickGroup(report.groups, report.learningRates, model, g.task, method, cap));
    }
    if (chosen.size() < 2) continue;
    TaskAverage avg;
    avg.model = model;
    avg.method = method;
    avg.trainCap = cap;
    avg.exitLayers = chosen.front()->exitLayers;
    avg.costFractions = chosen.front()->costFractions;
    bool comparable = true;
    for (const GroupReport* g : chosen) {
      avg.tasks.push_back(g->task);
      comparable = comparable && g->exitLayers == avg.exitLayers && g->costFractions == avg.costFractions;
    }
    if (!comparable) {
      report.notes.push_back("no task average for " + model + " " + method + ": the tasks' runs differ in exits or depth");
      continue;
    }
    for (int64_t seed : chosen.front()->seeds) {
      bool everywhere = true;
      for (const GroupReport* g : chosen)
        everywhere = everywhere && std::find(g->seeds.begin(), g->seeds.end(), seed) != g->seeds.end();
      if (everywhere && std::find(avg.seeds.begin(), avg.seeds.end(), seed) == avg.seeds.end()) avg.seeds.push_back(seed);
    }
    std::sort(avg.seeds.begin(), avg.seeds.end());
    if (avg.seeds.empty())
      report.notes.push_back("task average of " + model + " " + method +
                             ": no seed is shared by every task, so it has no seed spread (mean of the task means)");
    for (const GroupReport* g : chosen) {
      std::vector<double> exits;
      for (const SeedSummary& s : g->perExit) exits.push_back(s.mean);
      avg.perExitByTask.push_back(exits);
      std::vector<std::optional<double>> points;
      for (const auto& s : g->atCost) points.push_back(s ? std::optional<double>(s->mean) : std::nullopt);
      avg.atCostByTask.push_back(points);
    }
    const double tasks = static_cast<double>(chosen.size());
    for (size_t e = 0; e < avg.exitLayers.size(); ++e) {
      auto perSeed = averageOverTasks(chosen, avg.seeds, [e](const GroupReport& g, size_t run) {
        return std::optional<double>(g.perExitValues[e][run]);
      });
      if (!perSeed) {  // no common seed: the mean of the task means, without a spread
        double sum = 0;
        for (const auto& row : avg.perExitByTask) sum += row[e];
        perSeed = summarize({sum / tasks});
      }
      avg.perExit.push_back(*perSeed);
    }
    for (size_t f = 0; f < avg.costFractions.size(); ++f) {
      std::optional<SeedSummary> point = averageOverTasks(chosen, avg.seeds, [f](const GroupReport& g, size_t run) {
        return g.atCostValues[f][run];
      });
      if (!point && avg.seeds.empty()) {
        double sum = 0;
        bool all = true;
        for (const auto& row : avg.atCostByTask) {
          all = all && row[f].has_value();
          if (row[f]) sum += *row[f];
        }
        if (all) point = summarize({sum / tasks});
      }
      avg.atCost.push_back(point);
    }
    report.taskAverages.push_back(std::move(avg));
  }
  // Gaps of the averages: each method's average minus EE's, same model and cap.
  for (const TaskAverage& ee : report.taskAverages) {
    if (ee.method != "ee") continue;
    for (const char* method : {"mm", "sweet"})
      for (const TaskAverage& other : report.taskAverages) {
        if (other.method != method || other.model != ee.model || other.trainCap != ee.trainCap) continue;
        MethodGap gap{ee.model, "average", method, ee.trainCap, {}};
        for (size_t e = 0; e < ee.perExit.size(); ++e)
          gap.perExit.push_back(other.perExit.size() == ee.perExit.size() && other.tasks == ee.tasks
                                    ? std::optional<double>(other.perExit[e].mean - ee.perExit[e].mean)
                                    : std::nullopt);
        report.gaps.push_back(std::move(gap));
      }
  }
}

Report buildFinishedReport(const std::vector<RunData>& runs, const ReportOptions& options);

}  // namespace

Report buildReport(const std::vector<RunData>& runs, const ReportOptions& options) {
  if (runs.empty()) throw std::runtime_error("no run files given");
  auto scored = [&](const RunData& run) { return run.evalDone || (options.includeInterim && run.hasEvaluation()); };
  std::vector<std::string> unfinished;
  std::vector<RunData> finished;
  for (const RunData& run : runs) {
    if (scored(run)) finished.push_back(run);
    if (!run.evalDone)
      unfinished.push_back(scored(run) ? run.path + ": interim evaluation of step " + std::to_string(run.evalStep) +
                                             ", not final (" + unfinishedReason(run) + ")"
                                       : unfinishedNote(run));
  }
  if (finished.empty()) {
    std::string all;
    for (const std::string& note : unfinished) all += (all.empty() ? "" : "\n") + note;
    throw std::runtime_error("no run reached its evaluation:\n" + all);
  }
  Report report = buildFinishedReport(finished, options);
  report.notes.insert(report.notes.begin(), unfinished.begin(), unfinished.end());
  for (const GroupReport& g : report.groups)
    for (const std::string& path : g.runPaths)
      for (const RunData& run : finished)
        if (run.path == path && !run.speed.empty()) report.speed.push_back({path, g.label, run.speed});
  return report;
}

namespace {

Report buildFinishedReport(const std::vector<RunData>& runs, const ReportOptions& options) {
  Report report;
  report.calibrated = options.calibrate;
  report.calibrationSplit = options.calibrationSplit;
  report.exactCurve = options.exactCurve;

  std::vector<RunResult> results;
  std::map<CalibrationScheme, int> schemeCounts;
  for (const RunData& run : runs) {
    try {
      results.push_back(measure(run, options));
    } catch (const std::invalid_argument& e) {  // e.g. non-finite logits of a diverged run
      throw std::runtime_error(run.path + ": " + e.what());
    }
    if (results.back().calibration) ++schemeCounts[results.back().calibration->scheme];
    if (run.status.state != RunState::Finished || !run.evalDone)
      report.notes.push_back(run.path + ": not a finished run (state " + std::to_string(static_cast<int>(run.status.state)) +
                             ", step " + std::to_string(run.status.stepsDone) + "/" + std::to_string(run.status.totalSteps) +
                             (run.evalDone ? "" : ", eval logits not final") + ")");
  }
  std::vector<std::string> regressionTasks;
  for (const RunData& run : runs)
    if (run.regression && std::find(regressionTasks.begin(), regressionTasks.end(), run.task) == regressionTasks.end())
      regressionTasks.push_back(run.task);
  for (const std::string& task : regressionTasks)
    report.notes.push_back(task + " is a regression task: per-exit Pearson r with Spearman's rho beside it; it has no "
                           "softmax confidences, so no confidence-based exiting, speed-accuracy curve, fixed-cost "
                           "points (n/a), learning-rate choice or temperature scaling");
  if (schemeCounts.empty() && regressionTasks.size() > 0 && std::all_of(runs.begin(), runs.end(), [](const RunData& r) { return r.regression; })) {
    report.calibrationSummary = "none (regression runs predict values, not softmax confidences)";
  } else if (!options.calibrate) {
    report.calibrationSummary = "not temperature-scaled (raw softmax confidences, --no-calibrate)";
  } else {
    report.calibrationSummary = "temperature-scaled per exit (";
    bool firstScheme = true;
    for (const auto& [scheme, count] : schemeCounts) {
      report.calibrationSummary += std::string(firstScheme ? "" : "; ") +
                                   (scheme == CalibrationScheme::HeldOut    ? "fitted on held-out training rows"
                                    : scheme == CalibrationScheme::CrossFit ? "two-fold cross-fitted on the eval set"
                                                                            : "fitted on the eval set itself") +
                                   ": " + std::to_string(count) + " run" + (count == 1 ? "" : "s");
      firstScheme = false;
    }
    report.calibrationSummary += ")";
  }

  std::vector<std::vector<size_t>> members;
  if (options.by.empty()) {
    members = groupBySeed(runs);
    report.grouping = "runs whose configs differ only in seed, output paths and checkpoint folder";
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
    if (!runs[r].regression)  // no curve, no AUC to choose by
      observations.push_back({modelDisplayName(runs[r]), runs[r].method, runs[r].task, runs[r].learningRate, results[r].auc,
                            trainCapOf(runs[r])});
  report.learningRates = selectLearningRates(observations);

  // Caps name a group only where one task and model were run at several (the data-size study).
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> capsOf;
  for (const RunData& run : runs) {
    auto& caps = capsOf[{run.task, modelDisplayName(run)}];
    if (std::find(caps.begin(), caps.end(), trainCapOf(run)) == caps.end()) caps.push_back(trainCapOf(run));
  }

  for (const std::vector<size_t>& group : members) {
    const RunData& first = runs[group.front()];
    GroupReport g;
    g.method = first.method;
    g.task = first.task;
    g.model = modelDisplayName(first);
    g.metric = first.metric;
    g.exitLayers = first.exitLayers;
    g.numLayers = first.numLayers;
    g.learningRate = first.learningRate;
    g.trainCap = trainCapOf(first);
    g.trainCount = first.trainCount;
    g.secondaryMetric = secondaryMetricFor(first.task, first.metric);
    std::vector<const RunResult*> rs;
    for (size_t r : group) {
      const RunData& run = runs[r];
      if (run.exitLayers != first.exitLayers || run.metric != first.metric || run.method != first.method ||
          run.numLayers != first.numLayers || run.regression != first.regression)
        throw std::runtime_error(run.path + " and " + first.path +
                                 " are grouped as seeds but differ in method, exits, depth or metric (refine --by)");
      if (g.learningRate && run.learningRate != *g.learningRate) g.learningRate.reset();
      if (std::find(g.seeds.begin(), g.seeds.end(), run.seed) != g.seeds.end())
        report.notes.push_back(run.path + ": seed " + std::to_string(run.seed) + " appears twice in group '" +
                               first.task + " " + first.method + "'");
      g.runPaths.push_back(run.path);
      g.seeds.push_back(run.seed);
      rs.push_back(&results[r]);
      g.calibrationSchemes.push_back(results[r].calibration ? calibrationSchemeName(results[r].calibration->scheme) : "none");
    }
    g.label = g.task + " " + g.method + " lr=" + (g.learningRate ? formatLearningRate(*g.learningRate) : "mixed") + " " + g.model;
    if (capsOf[{g.task, g.model}].size() > 1) g.label += " cap=" + std::to_string(g.trainCap);
    for (size_t e = 0; e < g.exitLayers.size(); ++e) {
      std::vector<double> values, secondary;
      for (const RunResult* r : rs) {
        values.push_back(r->perExit[e]);
        if (!g.secondaryMetric.empty()) secondary.push_back(r->perExitSecondary[e]);
      }
      g.perExit.push_back(summarize(values));
      g.perExitValues.push_back(values);
      if (!g.secondaryMetric.empty()) g.perExitSecondary.push_back(summarize(secondary));
    }
    g.costFractions = rs.front()->costFractions;
    for (size_t f = 0; f < g.costFractions.size(); ++f) {
      std::vector<double> values;
      std::vector<std::optional<double>> perRun;
      for (const RunResult* r : rs) {
        perRun.push_back(r->atCost[f]);
        if (r->atCost[f]) values.push_back(*r->atCost[f]);
      }
      // A point some seed's curve does not reach is unavailable for the group: averaging
      // only the seeds that reach it would bias the mean.
      g.atCost.push_back(values.size() == rs.size() ? std::optional<SeedSummary>(summarize(values)) : std::nullopt);
      g.atCostValues.push_back(perRun);
      if (!g.secondaryMetric.empty()) {
        std::vector<double> secondary;
        for (const RunResult* r : rs)
          if (r->atCostSecondary[f]) secondary.push_back(*r->atCostSecondary[f]);
        g.atCostSecondary.push_back(secondary.size() == rs.size() ? std::optional<SeedSummary>(summarize(secondary))
                                                                  : std::nullopt);
      }
    }
    if (std::all_of(rs.begin(), rs.end(), [](const RunResult* r) { return !r->atCostLearned.empty(); }))
      for (size_t f = 0; f < g.costFractions.size(); ++f) {
        std::vector<double> values;
        for (const RunResult* r : rs)
          if (r->atCostLearned[f]) values.push_back(*r->atCostLearned[f]);
        g.atCostLearned.push_back(values.size() == rs.size() ? std::optional<SeedSummary>(summarize(values)) : std::nullopt);
      }
    std::vector<double> aucs;
    for (const RunResult* r : rs) aucs.push_back(r->auc);
    g.auc = summarize(aucs);
    if (options.calibrate && !first.regression)
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
    if (a.trainCap != b.trainCap) return a.trainCap < b.trainCap;
    return a.learningRate.value_or(0) < b.learningRate.value_or(0);
  });

  // Gaps per (model, task, cap), each method at its chosen learning rate.
  std::vector<std::tuple<std::string, std::string, int64_t>> seen;
  for (const GroupReport& g : report.groups) {
    const auto key = std::make_tuple(g.model, g.task, g.trainCap);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    const GroupReport* ee = pickGroup(report.groups, report.learningRates, g.model, g.task, "ee", g.trainCap);
    if (!ee) continue;
    for (const char* method : {"mm", "sweet"}) {
      const GroupReport* other = pickGroup(report.groups, report.learningRates, g.model, g.task, method, g.trainCap);
      if (!other) continue;
      MethodGap gap{g.model, g.task, method, g.trainCap, {}};
      for (size_t e = 0; e < ee->perExit.size(); ++e)
        gap.perExit.push_back(other->perExit.size() == ee->perExit.size()
                                  ? std::optional<double>(other->perExit[e].mean - ee->perExit[e].mean)
                                  : std::nullopt);
      report.gaps.push_back(std::move(gap));
    }
  }
  addTaskAverages(report);
  return report;
}

}  // namespace

}  // namespace sweet::analysis
