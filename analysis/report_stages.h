// The stages of buildReport (report.cpp reads as their recipe), each in its own file:
// measuring one run (report_measure.cpp), pooling runs into seed groups and finding a
// group (report_groups.cpp), summarising a group over its seeds (report_summary.cpp), the
// gaps between methods (report_gaps.cpp) and the averages over tasks
// (report_task_averages.cpp). Internal to analysis/.
#pragma once

#include "report.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis::report_stages {

// Everything measured on one run; groups then summarise these over seeds.
struct RunResult {
  std::vector<double> perExit, perExitSecondary;
  std::vector<double> costFractions;
  std::vector<std::optional<double>> atCost, atCostSecondary, atCostLearned;
  double auc = 0;
  std::optional<CalibrationResult> calibration;
};

// Throws std::invalid_argument for numbers no score can be taken of (non-finite logits or
// predictions of a diverged run).
RunResult measureRun(const RunData& run, const ReportOptions& options);

// config "train_cap", 0 when not recorded.
int64_t trainCapOf(const RunData& run);

// Run indices pooled as seeds, per group in order of first appearance, and how, in words.
struct Grouping {
  std::vector<std::vector<size_t>> members;
  std::string words;
};
// By configs equal apart from seed and outputs (an empty `by`), else by the named
// attributes; throws std::runtime_error for an unknown one.
Grouping groupRuns(const std::vector<RunData>& runs, const std::vector<std::string>& by);
// Report order: task, model, method (methodRank), cap, learning rate.
void sortGroups(std::vector<GroupReport>& groups);
// The group of (model, task, method, cap) at its chosen learning rate, else its first one;
// nullptr when there is none.
const GroupReport* pickGroup(const std::vector<GroupReport>& groups, const std::vector<LrSelection>& selections,
                             const std::string& model, const std::string& task, const std::string& method, int64_t cap);

// One group's numbers over its seeds (`members` index `runs` and `results`). `capInLabel`:
// the task and model were run at several caps. Notes a seed that appears twice; throws
// std::runtime_error when the members differ in method, exits, depth or metric.
GroupReport summarizeGroup(const std::vector<RunData>& runs, const std::vector<RunResult>& results,
                           const std::vector<size_t>& members, const ReportOptions& options, bool capInLabel,
                           std::vector<std::string>& notes);

// MM and SWEET minus EE per (model, task, cap), each at its chosen learning rate.
void addTaskGaps(Report& report);
// The same for the task averages (task "average").
void addAverageGaps(Report& report);

// One TaskAverage per (model, method, cap) with two or more tasks (see report.h).
void addTaskAverages(Report& report);

}  // namespace sweet::analysis::report_stages
