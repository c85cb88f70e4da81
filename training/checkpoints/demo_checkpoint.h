// The demo's starting point: a randomly initialised BERT (resources/demo/config.json)
// with a word-level vocabulary covering the demo task, written as a Hugging Face folder so
// EE, SWEET and MM all start from the very same weights.
#pragma once

#include <cstdint>
#include <string>

namespace sweet {

// Writes the folder unless it already holds a checkpoint; returns its path.
std::string ensureDemoCheckpoint(const std::string& config_file, const std::string& dir, uint64_t seed = 0);

}  // namespace sweet
