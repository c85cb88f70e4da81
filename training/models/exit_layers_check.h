// Whether a list of exit layers fits a backbone of a given depth, in one place: the trainer
// refuses a run with it before the first step, and the New experiment dialog checks the
// field with it as the user types (torch-free, so the GUI calls it directly).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

// Empty when `exitLayers` ascend strictly within 1..numHiddenLayers; otherwise the reason,
// e.g. "exit_layers [1,4,6,12] must ascend strictly within 1..4 (the checkpoint's
// num_hidden_layers)".
std::string exitLayersProblem(const std::vector<int64_t>& exitLayers, int64_t numHiddenLayers);

// Default exits for a backbone depth: [1,4,6,12] for 12 layers, [1,6,12,24] for 24, and
// for other depths the same fractions (1 layer, L/3, L/2, L) rounded and de-duplicated.
// Here, torch-free, so the dialog counts the exits a run will have (for its loss weights);
// exit_classifier.h repeats the declaration for the model code that includes only it.
std::vector<int64_t> defaultExitLayers(int64_t num_layers);

}  // namespace sweet
