// Learning-rate selection (Table 2 of the paper): per (model, method, task), the learning
// rate whose runs have the largest mean area under the speed-accuracy curve. The whole AUC
// table is kept so a reader can audit the choice.
#pragma once

#include "cost_model.h"
#include "exit_policy.h"
#include "metrics.h"
#include "seed_statistics.h"

#include <string>
#include <vector>

namespace sweet::analysis {

// One run's area: the exact confidence curve integrated over the model's whole cost range
// [L_1/L_M, maxCost] and divided by its width, i.e. the mean score over that range (the
// exact curve always spans it, the 11-point sweep need not reach full cost).
// `rule` Learned (the replay holding LTE scores) integrates the learned-exit curve instead:
// an LTE run is chosen by the curve it is used with.
double selectionAuc(ExitReplay& replay, const CostModel& cost, Metric metric, ExitRule rule = ExitRule::Confidence);

struct AucObservation {
  std::string model, method, task;
  double learningRate = 0;
  double auc = 0;  // one seed's value
  int64_t trainCap = 0;  // config train_cap (0 = not recorded): each data size picks its own LR
};

struct LrCandidate {
  double learningRate = 0;
  SeedSummary auc;  // over the seeds run at this learning rate
};

struct LrSelection {
  std::string model, method, task;
  std::vector<LrCandidate> candidates;  // ascending learning rate
  size_t chosen = 0;                    // largest mean AUC; the smaller LR wins an exact tie
  int64_t trainCap = 0;
  double chosenLearningRate() const { return candidates[chosen].learningRate; }
};

// Groups observations by (model, method, task, trainCap) in order of first appearance;
// `method` is the run's methodLabel, so experiment variants choose separately.
std::vector<LrSelection> selectLearningRates(const std::vector<AucObservation>& observations);

}  // namespace sweet::analysis
