// Builds the report data from runs: see report.h. The stages live in report_*.cpp (see
// report_stages.h); printing in report_format.cpp and one writer file per format.
#include "report.h"

#include "report_stages.h"
#include "run_naming.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace sweet::analysis {

using namespace report_stages;

namespace {

std::vector<RunResult> measureAll(const std::vector<RunData>& runs, const ReportOptions& options) {
  std::vector<RunResult> results;
  for (const RunData& run : runs) {
    if (options.stop && options.stop()) throw std::runtime_error("report build stopped");
    try {
      results.push_back(measureRun(run, options));
    } catch (const std::invalid_argument& e) {  // e.g. non-finite logits of a diverged run
      throw std::runtime_error(run.path + ": " + e.what());
    }
  }
  return results;
}

// Runs a reader must know are not what a table usually holds: not finished, or regression.
std::vector<std::string> runNotes(const std::vector<RunData>& runs) {
  std::vector<std::string> notes;
  for (const RunData& run : runs)
    if (run.status.state != RunState::Finished || !run.evalDone)
      notes.push_back(run.path + ": not a finished run (" + runStateName(run.status.state) +
                      ", step " + std::to_string(run.status.stepsDone) + "/" + std::to_string(run.status.totalSteps) +
                      (run.evalDone ? "" : ", eval logits not final") + ")");
  std::vector<std::string> regressionTasks;
  for (const RunData& run : runs)
    if (run.regression && std::find(regressionTasks.begin(), regressionTasks.end(), run.task) == regressionTasks.end())
      regressionTasks.push_back(run.task);
  for (const std::string& task : regressionTasks)
    notes.push_back(task + " is a regression task: per-exit Pearson r with Spearman's rho beside it; it has no "
                    "softmax confidences, so no confidence-based exiting, speed-accuracy curve, fixed-cost "
                    "points (n/a), learning-rate choice or temperature scaling");
  return notes;
}

// Which confidences the numbers come from, in words (Report::calibrationSummary).
std::string calibrationSummary(const std::vector<RunData>& runs, const std::vector<RunResult>& results,
                               const ReportOptions& options) {
  std::map<CalibrationScheme, int> schemeCounts;
  for (const RunResult& result : results)
    if (result.calibration) ++schemeCounts[result.calibration->scheme];
  if (schemeCounts.empty() && std::all_of(runs.begin(), runs.end(), [](const RunData& r) { return r.regression; }))
    return "none (regression runs predict values, not softmax confidences)";
  if (!options.calibrate) return "not temperature-scaled (raw softmax confidences, --no-calibrate)";
  std::string summary = "temperature-scaled per exit (";
  for (const auto& [scheme, count] : schemeCounts) {
    if (summary.back() != '(') summary += "; ";
    summary += scheme == CalibrationScheme::HeldOut    ? "fitted on held-out training rows"
               : scheme == CalibrationScheme::CrossFit ? "two-fold cross-fitted on the eval set"
                                                       : "fitted on the eval set itself";
    summary += ": " + std::to_string(count) + " run" + (count == 1 ? "" : "s");
  }
  return summary + ")";
}

// Table 2: each (model, method label, task, cap)'s learning rate, chosen by AUC over seeds;
// the label carries the experiment's variant, so LTE and plain runs choose apart.
std::vector<LrSelection> chooseLearningRates(const std::vector<RunData>& runs, const std::vector<RunResult>& results) {
  std::vector<AucObservation> observations;
  for (size_t r = 0; r < runs.size(); ++r)
    if (!runs[r].regression)  // no curve, no AUC to choose by
      observations.push_back({modelDisplayName(runs[r]), methodLabel(runs[r]), runs[r].task, runs[r].learningRate,
                              results[r].auc, trainCapOf(runs[r])});
  return selectLearningRates(observations);
}

void addGroups(Report& report, const std::vector<RunData>& runs, const std::vector<RunResult>& results,
               const ReportOptions& options) {
  const Grouping grouping = groupRuns(runs, options.by);
  report.grouping = grouping.words;
  // Caps name a group only where one task and model were run at several (the data-size study).
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> capsOf;
  for (const RunData& run : runs) {
    auto& caps = capsOf[{run.task, modelDisplayName(run)}];
    if (std::find(caps.begin(), caps.end(), trainCapOf(run)) == caps.end()) caps.push_back(trainCapOf(run));
  }
  for (const std::vector<size_t>& members : grouping.members) {
    const RunData& first = runs[members.front()];
    const bool capInLabel = capsOf[{first.task, modelDisplayName(first)}].size() > 1;
    report.groups.push_back(summarizeGroup(runs, results, members, options, capInLabel, report.notes));
  }
  sortGroups(report.groups);
}

Report buildFinishedReport(const std::vector<RunData>& runs, const ReportOptions& options) {
  Report report;
  report.calibrated = options.calibrate;
  report.calibrationSplit = options.calibrationSplit;
  report.exactCurve = options.exactCurve;
  const std::vector<RunResult> results = measureAll(runs, options);
  report.notes = runNotes(runs);
  report.calibrationSummary = calibrationSummary(runs, results, options);
  report.learningRates = chooseLearningRates(runs, results);
  addGroups(report, runs, results, options);
  addTaskGaps(report);
  addTaskAverages(report);
  addAverageGaps(report);
  return report;
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

}  // namespace sweet::analysis
