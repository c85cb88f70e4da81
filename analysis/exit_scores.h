// Each exit's score on its own over a whole split (every instance leaves at that exit), from
// the logits every exit gave: what the trainer logs after its evaluation and what the report
// tabulates as the per-exit scores (Table 1). One function, so the two never disagree.
#pragma once

#include "run_data.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::analysis {

// logits: [exits, instances, classes] row-major. metric accuracy | mcc | f1 scores each
// exit's argmax (the lowest class id wins a tie) against `labels` [instances]; pearson |
// spearman correlates each exit's predicted value (classes 1) with `targets` [instances]
// (regression, e.g. STS-B), and `labels` is not read. Throws std::invalid_argument when
// the sizes do not match, std::runtime_error for an unknown metric.
std::vector<double> exitScores(const std::vector<float>& logits, const std::vector<int64_t>& labels,
                               const std::vector<float>& targets, int64_t exits, int64_t classes,
                               const std::string& metric);
// The same for a run file's logit set.
std::vector<double> exitScores(const LogitSet& set, const std::string& metric);

}  // namespace sweet::analysis
