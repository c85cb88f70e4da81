// The paper's tables from a set of run files: per-exit scores with seed spread (Table 1),
// scores at fixed cost fractions with 95% CIs, gaps MM−EE and SWEET−EE, the AUC table
// and chosen learning rates (Table 2), and optionally temperature-scaling results. Built
// once as data (buildReport) and then printed as text, CSV, JSON or LaTeX (formatReport),
// so `sweet report`, the GUI and the tests share every number. Groups are labelled by the
// model's display name and learning-rate text of run_naming.h.
#pragma once

#include "lr_selection.h"
#include "run_data.h"
#include "seed_statistics.h"
#include "temperature_scaling.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis {

enum class ReportFormat { Text, Csv, Json, Latex };
ReportFormat reportFormatFromName(const std::string& name);  // text | csv | json | latex

struct ReportOptions {
  // Attributes that define a group of seeds: any of method, task, lr, model, cap. Empty:
  // runs whose configs are equal apart from seed, output paths and the checkpoint's folder.
  std::vector<std::string> by;
  // Temperature-scale every exit before exiting, as the paper always does (the default);
  // false replays raw softmax confidences (`sweet report --no-calibrate`).
  bool calibrate = true;
  CalibrationSplit calibrationSplit = CalibrationSplit::Calibration;
  // Fixed-cost scores from the exact curve instead of the paper's 11-threshold sweep.
  bool exactCurve = false;
  // Also score runs that have only an interim evaluation (eval_every), each noted as such:
  // the workbench's live table. The CLI's tables hold final evaluations only.
  bool includeInterim = false;
  // Asked before each run is measured (its fits and replays, ~25 ms at 10,000 instances):
  // true gives the build up with a std::runtime_error. The workbench's table stops a build
  // nobody wants any more (superseded, or its window closing) instead of finishing it.
  std::function<bool()> stop;
};

struct CalibrationSummary {  // one exit, means over seeds
  SeedSummary temperature, nllBefore, nllAfter, eceBefore, eceAfter;
};

struct GroupReport {
  std::string label;                      // "task method lr=… model" (+ " cap=N" when caps differ)
  std::string method, task, model, metric;
  std::optional<double> learningRate;     // absent when the group pools several
  int64_t trainCap = 0;                   // config train_cap (0 = not recorded)
  int64_t trainCount = 0;                 // rows the first run trained on
  std::vector<int64_t> exitLayers;
  int64_t numLayers = 0;                  // the backbone's depth L_M
  std::vector<std::string> runPaths;
  std::vector<int64_t> seeds;
  std::vector<SeedSummary> perExit;       // each exit alone on the whole eval set
  std::vector<std::vector<double>> perExitValues;  // [exit][run], runs in `seeds` order
  std::vector<double> costFractions;      // fixedCostFractions for this depth and method
  std::vector<std::optional<SeedSummary>> atCost;  // absent where a seed's curve does not reach
  std::vector<std::vector<std::optional<double>>> atCostValues;  // [fraction][run]
  SeedSummary auc;                        // selectionAuc per seed (the learned-exit curve's for LTE runs)
  // Secondary metric beside the task's own (F1 of class 1 for MRPC and QQP, whose tables use
  // accuracy); empty name and values for other tasks.
  std::string secondaryMetric;
  std::vector<SeedSummary> perExitSecondary;
  // The secondary metric at the fixed cost fractions, on the same thresholds as `atCost`.
  std::vector<std::optional<SeedSummary>> atCostSecondary;
  // Learning-to-exit (runs with /eval/lte_scores): the score at the same cost fractions when
  // each instance exits at the first exit whose LTE score >= t, on the exact curve over t.
  // Empty when the group's runs have no LTE scores.
  std::vector<std::optional<SeedSummary>> atCostLearned;
  std::vector<CalibrationSummary> calibration;     // empty unless options.calibrate
  std::vector<std::string> calibrationSchemes;     // per run: held-out, cross-fit or eval
};

// The average over tasks of one (model, method, cap), each task at its chosen learning
// rate (Table 1 and the fixed-cost points of Figs. 4, 5, 7): every exit's score and every
// fixed-cost score averaged over the tasks, metrics as they are (CoLA's MCC included).
// Spread over seeds as the paper reports it: the task average is taken per seed (seeds
// matched by their number), then mean, sample std and 95% CI over those per-seed averages.
struct TaskAverage {
  std::string model, method;
  int64_t trainCap = 0;
  std::vector<std::string> tasks;         // averaged, in report order
  std::vector<int64_t> exitLayers;
  std::vector<int64_t> seeds;             // seeds every task has; the spread is over these
  std::vector<SeedSummary> perExit;
  std::vector<std::vector<double>> perExitByTask;  // [task][exit]: each task's mean, beside the average
  std::vector<double> costFractions;
  std::vector<std::optional<SeedSummary>> atCost;  // absent where some task's point is
  std::vector<std::vector<std::optional<double>>> atCostByTask;  // [task][fraction]
};

struct MethodGap {  // per exit: mean(method) − mean(EE); absent where exit counts differ
  std::string model, task, method;        // task "average" for the gap of the task averages
  int64_t trainCap = 0;
  std::vector<std::optional<double>> perExit;
};

// Wall-clock measurements of real early exiting stored in one run file (/speed).
struct RunSpeed {
  std::string runPath, groupLabel;
  std::vector<SpeedMeasurement> measurements;
};

struct Report {
  std::string grouping;                   // how seeds were pooled, in words
  bool calibrated = false;
  CalibrationSplit calibrationSplit = CalibrationSplit::Calibration;
  // In words, for every output: "temperature-scaled (held-out rows: 3 runs; cross-fit on
  // the eval set: 6 runs)" or "not temperature-scaled (--no-calibrate)".
  std::string calibrationSummary;
  bool exactCurve = false;
  std::vector<GroupReport> groups;
  std::vector<TaskAverage> taskAverages;  // one per (model, method, cap) with two or more tasks
  std::vector<MethodGap> gaps;            // per task, then per average
  std::vector<LrSelection> learningRates;
  std::vector<std::string> notes;         // warnings a reader must see (running runs, …)
  std::vector<RunSpeed> speed;            // runs with /speed measurements, in group order
};

// A cost fraction as the paper writes it: "1/12", "3/4", "1", "1 3/8".
std::string costFractionLabel(double fraction);

// "f1" for MRPC and QQP scored by accuracy, else "".
std::string secondaryMetricFor(const std::string& task, const std::string& metric);

// Throws std::runtime_error for an empty run list, an unknown --by key, or a group whose
// runs disagree on exits or metric.
// Runs that did not reach their evaluation are left out with a note (unfinishedNote);
// throws std::runtime_error, with those notes, when no run reached it.
Report buildReport(const std::vector<RunData>& runs, const ReportOptions& options);
// "<path>: stopped at step N of M, before its evaluation (...); not in the tables; it has
// the training loss of N steps (...) and gradient records (...)".
std::string unfinishedNote(const RunData& run);
std::string formatReport(const Report& report, ReportFormat format);

}  // namespace sweet::analysis
