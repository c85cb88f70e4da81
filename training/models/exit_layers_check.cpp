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

}  // namespace sweet
