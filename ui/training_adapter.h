// The GUI's door into the parts of training/ whose headers pull in libtorch (checkpoints,
// models): plain functions with no Qt, so widget files never compile a torch include (~11 s
// and 1 GB per file). The torch-free training headers (runs/train_config.h, runs/trainer.h)
// the GUI includes directly: the config and the progress types cross that seam unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::ui {

// Writes (once) the demo's random-init checkpoint into `dir` from a BERT config file
// (empty: resources/demo/config.json) and returns the folder.
std::string ensureDemoCheckpointAt(const std::string& dir, const std::string& configFile = {});

struct CheckpointSummary {
  std::string text;    // "4 layers, hidden 64, vocab 256, weights F32"
  int64_t layers = 0;  // num_hidden_layers: the deepest exit it can have
};
// Opens a checkpoint folder as training would and describes it; throws
// std::runtime_error naming the missing or broken file.
CheckpointSummary describeCheckpoint(const std::string& dir);
// Depth of the demo's random-init checkpoint (resources/demo/config.json).
int64_t demoCheckpointLayers();

// Checks that a GLUE task folder holds the task's training and evaluation files and that
// they are readable; returns "train.tsv, dev.tsv" as found, throws naming the missing file.
std::string checkDataFolder(const std::string& task, const std::string& dir);

std::string libtorchVersion();
// Path of a file under resources/ (see training/resource_locator.h); throws when absent.
std::string resourceFile(const std::string& relative);

}  // namespace sweet::ui
