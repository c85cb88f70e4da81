// Each exit's weight in the training loss (config exit_loss_weights): the objective is
// sum_e w_e * L_e. "uniform" is every w_e = 1 (the plain sum EE and SWEET train on);
// "layer" makes w_e proportional to exit e's layer, as weighted-average EE training does
// (Zhou et al. 2020, PABEE: sum_j j * L_j / sum_j j), scaled by E so the weights sum to E as
// uniform's do: only the shares between exits change, not the loss's overall size (which,
// with gradient clipping, would change the step). A list is taken as written. Torch-free.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

// What is wrong with `spec` ("" when nothing): not "uniform", "layer" or a list of finite,
// non-negative numbers not all 0; or, when `exitLayers` is given, a list of another length.
std::string exitLossWeightsProblem(const nlohmann::json& spec, const std::vector<int64_t>& exitLayers);

// Why `method` cannot train with `spec` ("" when it can): mm's models share nothing, so only
// "uniform" means anything. The trainer's check and the New experiment dialog's.
std::string exitLossWeightsMethodProblem(const std::string& method, const nlohmann::json& spec);

// One weight per exit of `exitLayers` (1-based layers); empty for "uniform", so a uniform
// run multiplies nothing and stays bit-identical to the plain sum. Throws
// std::runtime_error naming the key when exitLossWeightsProblem finds anything.
std::vector<double> exitLossWeights(const nlohmann::json& spec, const std::vector<int64_t>& exitLayers);

}  // namespace sweet
