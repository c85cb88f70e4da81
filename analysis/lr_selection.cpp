// Learning-rate selection: see lr_selection.h.
#include "lr_selection.h"

#include "speed_accuracy_curve.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace sweet::analysis {

double selectionAuc(ExitReplay& replay, const CostModel& cost, Metric metric, ExitRule rule) {
  const Curve curve = exactCurve(replay, cost, metric, rule);
  const double from = cost.minCost(), to = cost.maxCost();
  if (to <= from) return curve.points.empty() ? 0 : curve.points.back().score;  // a single exit
  return areaUnderCurve(curve, from, to).value_or(0) / (to - from);
}

std::vector<LrSelection> selectLearningRates(const std::vector<AucObservation>& observations) {
  std::vector<LrSelection> selections;
  std::vector<std::map<double, std::vector<double>>> aucsByLr;
  std::map<std::tuple<std::string, std::string, std::string, int64_t>, size_t> indexOf;
  for (const AucObservation& o : observations) {
    auto [it, inserted] = indexOf.emplace(std::make_tuple(o.model, o.method, o.task, o.trainCap), selections.size());
    if (inserted) {
      selections.push_back({o.model, o.method, o.task, {}, 0, o.trainCap});
      aucsByLr.emplace_back();
    }
    aucsByLr[it->second][o.learningRate].push_back(o.auc);
  }
  for (size_t s = 0; s < selections.size(); ++s) {
    for (const auto& [lr, aucs] : aucsByLr[s]) selections[s].candidates.push_back({lr, summarize(aucs)});
    for (size_t c = 1; c < selections[s].candidates.size(); ++c)
      if (selections[s].candidates[c].auc.mean > selections[s].candidates[selections[s].chosen].auc.mean)
        selections[s].chosen = c;
  }
  return selections;
}

}  // namespace sweet::analysis
