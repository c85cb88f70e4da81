// Learned-exit threshold rules: see lte_threshold_rule.h.
#include "analysis/lte_threshold_rule.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "analysis/run_data.h"

namespace sweet::analysis {

LteThresholdRule lteThresholdRuleFromName(const std::string& name) {
  if (name == "minmax") return LteThresholdRule::MinMax;
  if (name == "raw") return LteThresholdRule::Raw;
  throw std::invalid_argument("lte.threshold_rule '" + name + "' (expected minmax or raw)");
}

std::string lteThresholdRuleName(LteThresholdRule rule) { return rule == LteThresholdRule::MinMax ? "minmax" : "raw"; }

LteThresholdRule lteThresholdRule(const RunData& run) {
  if (!run.config.is_object() || !run.config.contains("lte") || !run.config["lte"].is_object()) return LteThresholdRule::MinMax;
  const nlohmann::json& lte = run.config["lte"];
  if (!lte.contains("threshold_rule") || !lte["threshold_rule"].is_string()) return LteThresholdRule::MinMax;
  try {
    return lteThresholdRuleFromName(lte["threshold_rule"].get<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(run.path + ": " + e.what());
  }
}

LteScoreRange lteScoreRange(const std::vector<float>& scores, int64_t exits, int64_t instances) {
  if (static_cast<int64_t>(scores.size()) != exits * instances || instances < 1)
    throw std::invalid_argument("lteScoreRange: scores are not [exits, instances]");
  LteScoreRange range;
  for (int64_t e = 0; e < exits; ++e) {
    const auto first = scores.begin() + e * instances;
    const auto [lo, hi] = std::minmax_element(first, first + instances);
    range.min.push_back(*lo);
    range.max.push_back(*hi);
  }
  return range;
}

std::vector<float> normaliseLteScores(const std::vector<float>& scores, const LteScoreRange& range, int64_t exits,
                                      int64_t instances) {
  std::vector<float> out(scores.size());
  for (int64_t e = 0; e < exits; ++e) {
    const double lo = range.min[static_cast<size_t>(e)], width = range.max[static_cast<size_t>(e)] - lo;
    for (int64_t i = 0; i < instances; ++i) {
      const size_t at = static_cast<size_t>(e * instances + i);
      out[at] = width > 0 ? static_cast<float>((scores[at] - lo) / width) : 0.0f;
    }
  }
  return out;
}

std::vector<float> lteScoresForRule(const RunData& run) {
  if (run.lteScores.empty() || lteThresholdRule(run) == LteThresholdRule::Raw) return run.lteScores;
  const int64_t exits = run.exits(), instances = run.eval.instances;
  return normaliseLteScores(run.lteScores, lteScoreRange(run.lteScores, exits, instances), exits, instances);
}

std::vector<double> minmaxThresholds() {
  std::vector<double> thresholds;
  for (int k = 0; k <= 10; ++k) thresholds.push_back(k / 10.0);
  return thresholds;
}

}  // namespace sweet::analysis
