// Cost fractions for shared-backbone and cascade models: see cost_model.h.
#include "cost_model.h"

#include <stdexcept>
#include <string>

namespace sweet::analysis {

CostModel::CostModel(std::vector<int64_t> exitLayers, CostKind kind, int64_t fullDepth)
    : exitLayers_(std::move(exitLayers)), kind_(kind), fullDepth_(fullDepth) {
  if (exitLayers_.empty()) throw std::invalid_argument("CostModel needs at least one exit");
  for (size_t e = 0; e < exitLayers_.size(); ++e)
    if (exitLayers_[e] < 1 || (e > 0 && exitLayers_[e] <= exitLayers_[e - 1]))
      throw std::invalid_argument("CostModel: exit layers must be 1-based and strictly ascending");
  if (fullDepth_ == 0) fullDepth_ = exitLayers_.back();
  if (fullDepth_ < exitLayers_.back())
    throw std::invalid_argument("CostModel: the backbone (" + std::to_string(fullDepth_) +
                                " layers) is shallower than the last exit (" + std::to_string(exitLayers_.back()) + ")");
  const double full = static_cast<double>(fullDepth_);
  int64_t paid = 0;
  for (int64_t layers : exitLayers_) {
    paid = kind_ == CostKind::Cascade ? paid + layers : layers;
    paidLayers_.push_back(paid);
    exitCost_.push_back(static_cast<double>(paid) / full);
  }
}

CostModel CostModel::forMethod(const std::string& method, std::vector<int64_t> exitLayers, int64_t fullDepth) {
  if (method == "ee" || method == "sweet" || method == "pcgrad") return CostModel(std::move(exitLayers), CostKind::SharedBackbone, fullDepth);
  if (method == "mm") return CostModel(std::move(exitLayers), CostKind::Cascade, fullDepth);
  throw std::runtime_error("no cost model for method '" + method + "' (expected ee, sweet, mm or pcgrad)");
}

double CostModel::costFraction(const int64_t* counts) const {
  // Integer layer sums first, one division last: t = 1/K must give exactly L_1/L_M.
  int64_t instances = 0, layers = 0;
  for (size_t e = 0; e < paidLayers_.size(); ++e) {
    instances += counts[e];
    layers += counts[e] * paidLayers_[e];
  }
  if (instances == 0) return 0;
  return static_cast<double>(layers) / (static_cast<double>(fullDepth()) * static_cast<double>(instances));
}

double CostModel::costFraction(const std::vector<int64_t>& counts) const {
  if (static_cast<int64_t>(counts.size()) != exits())
    throw std::invalid_argument("costFraction: one count per exit expected");
  return costFraction(counts.data());
}

}  // namespace sweet::analysis
