// Inference cost of an exit assignment as a *cost fraction* (1 = running the full model
// once), and its inverse, the speedup. The paper's code calls this a "speed-up ratio";
// naming it by what it is avoids the classic off-by-inverse confusion.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::analysis {

enum class CostKind {
  SharedBackbone,  // EE and SWEET: exiting at exit i costs its depth L_i
  Cascade,         // MM: model i re-runs its own layers, so exiting at i costs L_1 + … + L_i
};

class CostModel {
 public:
  // exitLayers: 1-based depth of each exit, ascending. fullDepth: L_M, the backbone's
  // depth, which a custom exit list may stop short of (costs are fractions of the full
  // model, not of the deepest exit); 0 means the last exit's layer.
  CostModel(std::vector<int64_t> exitLayers, CostKind kind, int64_t fullDepth = 0);
  // "ee" | "sweet" -> SharedBackbone, "mm" -> Cascade; throws std::runtime_error otherwise.
  static CostModel forMethod(const std::string& method, std::vector<int64_t> exitLayers, int64_t fullDepth = 0);

  CostKind kind() const { return kind_; }
  int64_t exits() const { return static_cast<int64_t>(exitLayers_.size()); }
  const std::vector<int64_t>& exitLayers() const { return exitLayers_; }
  int64_t fullDepth() const { return fullDepth_; }

  // Cost fraction of one instance that leaves at `exit` (0-based): L_i / L_M, or
  // (L_1 + … + L_i) / L_M for a cascade.
  double exitCost(int64_t exit) const { return exitCost_[static_cast<size_t>(exit)]; }
  // Cost of everyone leaving at the first / last exit: the range any curve can span.
  double minCost() const { return exitCost_.front(); }
  double maxCost() const { return exitCost_.back(); }

  // Σ_i S_i·c_i / Σ_i S_i for S_i instances leaving at exit i (counts has one entry per
  // exit). 0 when no instance is counted.
  double costFraction(const int64_t* counts) const;
  double costFraction(const std::vector<int64_t>& counts) const;

  static double speedup(double costFraction) { return 1.0 / costFraction; }

 private:
  std::vector<int64_t> exitLayers_;
  CostKind kind_;
  int64_t fullDepth_;
  std::vector<int64_t> paidLayers_;  // layers run by an instance leaving at each exit
  std::vector<double> exitCost_;
};

}  // namespace sweet::analysis
