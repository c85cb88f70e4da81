// Exit-layer check: see exit_layers_check.h.
#include "training/models/exit_layers_check.h"

#include <nlohmann/json.hpp>

namespace sweet {

std::string exitLayersProblem(const std::vector<int64_t>& exitLayers, int64_t numHiddenLayers) {
  for (size_t i = 0; i < exitLayers.size(); ++i)
    if (exitLayers[i] < 1 || exitLayers[i] > numHiddenLayers || (i > 0 && exitLayers[i] <= exitLayers[i - 1]))
      return "exit_layers " + nlohmann::json(exitLayers).dump() + " must ascend strictly within 1.." +
             std::to_string(numHiddenLayers) + " (the checkpoint's num_hidden_layers)";
  return {};
}

std::vector<int64_t> defaultExitLayers(int64_t L) {
  if (L == 12) return {1, 4, 6, 12};
  if (L == 24) return {1, 6, 12, 24};
  std::vector<int64_t> layers;
  for (int64_t l : {int64_t{1}, (L + 2) / 3, (L + 1) / 2, L})
    if (l >= 1 && (layers.empty() || l > layers.back())) layers.push_back(l);
  return layers;
}

}  // namespace sweet
