// Exit loss weights: see exit_loss_weights.h.
#include "training/runs/exit_loss_weights.h"

#include <cmath>
#include <stdexcept>

namespace sweet {

std::string exitLossWeightsProblem(const nlohmann::json& spec, const std::vector<int64_t>& exitLayers) {
  if (spec == "uniform" || spec == "layer") return "";
  if (!spec.is_array()) return "must be \"uniform\", \"layer\" or a list of one weight per exit, not " + spec.dump();
  bool anyPositive = false;
  for (const auto& w : spec) {
    if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() < 0)
      return "must list finite, non-negative numbers, not " + w.dump();
    anyPositive = anyPositive || w.get<double>() > 0;
  }
  if (!anyPositive) return "must give at least one exit a weight above 0";
  if (!exitLayers.empty() && spec.size() != exitLayers.size())
    return "lists " + std::to_string(spec.size()) + " weights for " + std::to_string(exitLayers.size()) +
           " exits (exit_layers " + nlohmann::json(exitLayers).dump() + ")";
  return "";
}

std::string exitLossWeightsMethodProblem(const std::string& method, const nlohmann::json& spec) {
  if (method != "mm" || spec == "uniform") return "";
  return "must stay uniform for method mm: its models share nothing, so a weight would only rescale one model's "
         "gradient, which AdamW's normalised step undoes";
}

std::vector<double> exitLossWeights(const nlohmann::json& spec, const std::vector<int64_t>& exitLayers) {
  const std::string problem = exitLossWeightsProblem(spec, exitLayers);
  if (!problem.empty()) throw std::runtime_error("exit_loss_weights " + problem);
  if (spec == "uniform") return {};
  if (spec.is_array()) return spec.get<std::vector<double>>();
  double layers = 0;
  for (int64_t layer : exitLayers) layers += static_cast<double>(layer);
  std::vector<double> weights;
  const auto E = static_cast<double>(exitLayers.size());
  for (int64_t layer : exitLayers) weights.push_back(E * static_cast<double>(layer) / layers);
  return weights;
}

}  // namespace sweet
