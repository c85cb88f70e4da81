// Data behind the speed-accuracy view, kept apart from the plot widget: runs grouped into
// series (one per method/configuration, seeds pooled), each seed's curve under the chosen
// exit rule, the seed mean and 95% CI on a common cost grid, and the threshold readout that
// the draggable marker asks for at every mouse move (an analysis::ExitSweep per seed, so a
// drag step costs only the instances it moves).
#pragma once

#include "analysis/cost_model.h"
#include "analysis/exit_policy.h"
#include "analysis/exit_rule_traits.h"
#include "analysis/exit_sweep.h"
#include "analysis/seed_statistics.h"
#include "analysis/speed_accuracy_curve.h"
#include "analysis/temperature_scaling.h"
#include "ui/run_catalog.h"
#include "ui/run_loader.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sweet::ui {

// What the threshold marker shows: seed means at one value of the exit rule's parameter
// (a confidence, LTE-score or entropy threshold, or patience's k).
struct ThresholdReadout {
  double threshold = 0;
  double cost = 0;                  // mean cost fraction over seeds
  double score = 0;                 // mean metric over seeds
  std::vector<double> exitCounts;   // mean instances per exit over seeds
  int64_t instances = 0;
};

struct CurveSeries {
  std::string label;                // its RunGroup's label: the keys series differ in, or a rename
  int variant = 0;                  // 0 for a method's first series, 1 for its second, …
  bool interim = false;             // some seed shows an interim (not final) evaluation
  std::string method;
  analysis::Metric metric = analysis::Metric::Accuracy;
  std::vector<int64_t> exitLayers;
  int64_t numLayers = 0;
  std::vector<RunPtr> runs;         // one per seed
  std::unique_ptr<analysis::CostModel> cost;
  std::vector<std::unique_ptr<analysis::ExitReplay>> replays;
  std::vector<std::unique_ptr<analysis::ExitSweep>> sweeps;  // one per replay: the marker's state
  std::vector<analysis::Curve> seedCurves;    // drawn: the paper's sweep or the exact curve
  std::vector<analysis::Curve> exactCurves;   // for dragging and thresholdForCost
  std::vector<double> costFractions;          // the report's fixed cost fractions for this series
  std::string calibration;                    // how its confidences were scaled, in words
  // Seed mean and CI on a grid spanning the cost range every seed reaches.
  std::vector<double> gridCost, gridMean, gridLow, gridHigh;
};

struct CurveOptions {
  // false: the paper's 11-threshold sweep, as `sweet report` (its default), where the rule
  // has one (ExitRuleTraits::paperSweep); true: the exact curve (every threshold at which
  // some instance changes exit is a breakpoint), as `sweet report --exact-curve`.
  bool exactCurve = false;
  // Temperature-scale each exit's logits before exiting, as the paper (and `sweet report`
  // by default) does, for rules that read the softmax (ExitRuleTraits::usesTemperatures);
  // false replays raw softmax outputs.
  bool calibrate = true;
  // Which rule the exits follow; what applies to it is in its analysis::ExitRuleTraits
  // (runs without the scores a rule needs are left out and noted).
  analysis::ExitRule rule = analysis::ExitRule::Confidence;
};

// A series' wall-clock measurement (`sweet infer --measure`, /speed/<name>): per measured
// threshold the seed means of the measured and the layer-count speedup and of the score.
struct MeasuredCurve {
  std::vector<double> threshold, measuredSpeedup, layerSpeedup, score;
  int seeds = 0;  // runs averaged (those measured under `name` at the same thresholds)
};

class CurveModel {
 public:
  // One series per group of `groups` (the runs panel's grouping and names), or when none
  // is given, per group of a RunCatalog over `runs` with its defaults (configs that differ
  // only in seed/output pooled). Runs without an evaluation are left out and named in
  // notes(), as are runs the analysis refuses (e.g. non-finite logits of a diverged run).
  // `stop`, asked before each run's replay, ends a build nobody wants any more (a newer
  // request superseded it); the model is then incomplete and must not be drawn.
  void build(const std::vector<RunPtr>& runs, const CurveOptions& options = {},
             const std::optional<std::vector<RunGroup>>& groups = std::nullopt,
             const std::function<bool()>& stop = {});
  const CurveOptions& options() const { return options_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const std::vector<std::unique_ptr<CurveSeries>>& series() const { return series_; }
  size_t size() const { return series_.size(); }

  // Not const: each seed's sweep moves from the last threshold asked for to this one.
  ThresholdReadout readout(size_t series, double threshold);
  // The readout at the threshold whose (first seed's) exact-curve point is closest in cost
  // to `cost`: what a drag to that cost shows, in one call.
  ThresholdReadout readoutAtCost(size_t series, double cost);
  // That threshold alone.
  double thresholdForCost(size_t series, double cost) const;
  // The series' measurement named `name`, averaged over the seeds that have it at the
  // first one's thresholds; nullopt when no seed was measured under that name.
  std::optional<MeasuredCurve> measuredCurve(size_t series, const std::string& name) const;
  // Every measurement name found in the series' runs ("cpu-b32-t1", …), sorted.
  std::vector<std::string> measurementNames() const;
  // Mean ± CI of the score at a cost fraction over seeds; nullopt where a seed's curve
  // does not reach it.
  std::optional<analysis::SeedSummary> scoreAtCost(size_t series, double cost) const;

 private:
  std::vector<std::unique_ptr<CurveSeries>> series_;
  std::vector<std::string> notes_;
  CurveOptions options_;
};

}  // namespace sweet::ui
