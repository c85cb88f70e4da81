// What the report measures on one run: per-exit scores, scores at the fixed cost fractions,
// the AUC that chooses learning rates and temperature scaling. See report_stages.h.
#include "report_stages.h"

#include "cost_model.h"
#include "exit_policy.h"
#include "exit_scores.h"
#include "lte_threshold_rule.h"
#include "speed_accuracy_curve.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sweet::analysis::report_stages {

namespace {

// A regression run (STS-B) has one predicted value per exit: each exit's Pearson r, and
// Spearman's rho as the secondary score. Without softmax confidences there is no exiting
// rule, so its fixed-cost points are absent and it takes no part in learning-rate choice.
RunResult measureRegression(const RunData& run) {
  for (int64_t e = 0; e < run.exits(); ++e)
    for (int64_t i = 0; i < run.eval.instances; ++i)
      if (!std::isfinite(run.eval.row(e, i)[0]))
        throw std::invalid_argument("exit " + std::to_string(e) + " predicts a non-finite value");
  RunResult result;
  result.perExit = exitScores(run.eval, "pearson");
  result.perExitSecondary = exitScores(run.eval, "spearman");
  result.costFractions = fixedCostFractions(run.numLayers, CostModel::forMethod(run.method, run.exitLayers, run.numLayers).kind());
  result.atCost.assign(result.costFractions.size(), std::nullopt);
  result.atCostSecondary.assign(result.costFractions.size(), std::nullopt);
  result.auc = std::numeric_limits<double>::quiet_NaN();
  return result;
}

std::vector<std::optional<double>> scoresAtCosts(const Curve& curve, const std::vector<double>& fractions) {
  std::vector<std::optional<double>> scores;
  for (double f : fractions) scores.push_back(scoreAtCost(curve, f));
  return scores;
}

}  // namespace

RunResult measureRun(const RunData& run, const ReportOptions& options) {
  if (run.regression) return measureRegression(run);
  RunResult result;
  if (options.calibrate) result.calibration = calibrate(run, options.calibrationSplit);
  const Metric metric = metricFromName(run.metric);
  const CostModel cost = CostModel::forMethod(run.method, run.exitLayers, run.numLayers);
  // Built first: it refuses non-finite logits, which no score should be taken of.
  ExitReplay replay(run.eval, result.calibration ? result.calibration->replayTemperatures() : std::vector<double>{});
  const std::string secondary = secondaryMetricFor(run.task, run.metric);
  result.perExit = exitScores(run.eval, run.metric);
  if (!secondary.empty()) result.perExitSecondary = exitScores(run.eval, secondary);
  auto curveOf = [&](Metric m) {
    return options.exactCurve ? exactCurve(replay, cost, m, ExitRule::Confidence)
                              : thresholdCurve(replay, cost, m, ExitRule::Confidence, paperThresholds(run.numLabels));
  };
  result.costFractions = fixedCostFractions(run.numLayers, cost.kind());
  result.atCost = scoresAtCosts(curveOf(metric), result.costFractions);
  // Same thresholds, other score: F1 where the speed-accuracy curve puts a cost fraction.
  if (!secondary.empty()) result.atCostSecondary = scoresAtCosts(curveOf(metricFromName(secondary)), result.costFractions);
  result.auc = selectionAuc(replay, cost, metric);
  if (!run.lteScores.empty()) {
    // LTE scores are no softmax probabilities, so the paper's confidence grid does not fit
    // them: under the minmax rule (the released code's) 11 thresholds on each exit's
    // normalised scores, under raw the exact curve over every value the scores take.
    replay.setLearnedScores(lteScoresForRule(run));
    const bool sweep = lteThresholdRule(run) == LteThresholdRule::MinMax && !options.exactCurve;
    result.atCostLearned = scoresAtCosts(sweep ? thresholdCurve(replay, cost, metric, ExitRule::Learned, minmaxThresholds())
                                               : exactCurve(replay, cost, metric, ExitRule::Learned),
                                         result.costFractions);
    // An LTE run exits on its learned scores, so its learning rate is chosen by that curve.
    result.auc = selectionAuc(replay, cost, metric, ExitRule::Learned);
  }
  return result;
}

}  // namespace sweet::analysis::report_stages
