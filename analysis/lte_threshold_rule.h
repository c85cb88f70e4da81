// How learned-exit (LTE) scores become exit decisions. The released SWEET/BERxiT code
// min-max normalises each exit's scores over the evaluation set and sweeps 11 thresholds
// 0, 0.1, ..., 1 ("minmax", the default); "raw" thresholds the heads' sigmoid outputs as
// they are, over every value they take. Normalising each exit apart changes which exit an
// instance leaves at (an exit whose scores all sit in [0.6, 0.7] exits nobody at t = 0.8
// raw, but its top instances after normalisation), so the two rules draw different curves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::analysis {

struct RunData;

enum class LteThresholdRule { MinMax, Raw };

// "minmax" or "raw"; throws std::invalid_argument naming the accepted values.
LteThresholdRule lteThresholdRuleFromName(const std::string& name);
std::string lteThresholdRuleName(LteThresholdRule rule);
// The run config's lte.threshold_rule; MinMax where the config names none (older runs too).
LteThresholdRule lteThresholdRule(const RunData& run);

// Each exit's smallest and largest score in row-major [exits, instances] scores.
struct LteScoreRange {
  std::vector<double> min, max;  // [exits]
};
LteScoreRange lteScoreRange(const std::vector<float>& scores, int64_t exits, int64_t instances);
// (s − min_e) / (max_e − min_e) per exit; an exit whose scores are all equal maps to 0
// (nobody leaves there before t = 0, where everybody does).
std::vector<float> normaliseLteScores(const std::vector<float>& scores, const LteScoreRange& range, int64_t exits,
                                      int64_t instances);
// The scores a replay exits on under the run's rule: normalised on its own evaluation
// scores (minmax) or as stored (raw). Empty when the run has none.
std::vector<float> lteScoresForRule(const RunData& run);

// The minmax rule's sweep: 0, 0.1, ..., 1 (11 values, each exactly k / 10).
std::vector<double> minmaxThresholds();

}  // namespace sweet::analysis
