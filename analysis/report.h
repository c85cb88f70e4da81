// The paper's tables from a set of run files: per-exit scores with seed spread (Table 1),
// scores at fixed cost fractions with 95% CIs, gaps MM−EE and SWEET−EE, the AUC table
// and chosen learning rates (Table 2), and optionally temperature-scaling results. Built
// once as data (buildReport) and then printed as text, CSV, JSON or LaTeX (formatReport),
// so `sweet report`, the GUI and the tests share every number.
#pragma once

#include "lr_selection.h"
#include "run_data.h"
#include "seed_statistics.h"
#include "temperature_scaling.h"

#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis {

enum class ReportFormat { Text, Csv, Json, Latex };
ReportFormat reportFormatFromName(const std::string& name);  // text | csv | json | latex

struct ReportOptions {
  // Attributes that define a group of seeds: any of method, task, lr, model. Empty: runs
  // whose configs are equal apart from seed and output paths.
  std::vector<std::string> by;
  bool calibrate = false;
  CalibrationSplit calibrationSplit = CalibrationSplit::Calibration;
  // Fixed-cost scores from the exact curve instead of the paper's 11-threshold sweep.
  bool exactCurve = false;
};

struct CalibrationSummary {  // one exit, means over seeds
  SeedSummary temperature, nllBefore, nllAfter, eceBefore, eceAfter;
};

struct GroupReport {
  std::string label;                      // "task method lr=… model"
  std::string method, task, model, metric;
  std::optional<double> learningRate;     // absent when the group pools several
  std::vector<int64_t> exitLayers;
  std::vector<std::string> runPaths;
  std::vector<int64_t> seeds;
  std::vector<SeedSummary> perExit;       // each exit alone on the whole eval set
  std::vector<double> costFractions;      // fixedCostFractions for this depth and method
  std::vector<std::optional<SeedSummary>> atCost;  // absent where a seed's curve does not reach
  SeedSummary auc;                        // selectionAuc per seed
  std::vector<CalibrationSummary> calibration;     // empty unless options.calibrate
};

struct MethodGap {  // per exit: mean(method) − mean(EE); absent where exit counts differ
  std::string model, task, method;
  std::vector<std::optional<double>> perExit;
};

struct Report {
  std::string grouping;                   // how seeds were pooled, in words
  bool calibrated = false;
  CalibrationSplit calibrationSplit = CalibrationSplit::Calibration;
  bool exactCurve = false;
  std::vector<GroupReport> groups;
  std::vector<MethodGap> gaps;
  std::vector<LrSelection> learningRates;
  std::vector<std::string> notes;         // warnings a reader must see (running runs, …)
};

// Model label of a run: the last path component of config "model" when set, else "<L>L".
std::string modelName(const RunData& run);

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
