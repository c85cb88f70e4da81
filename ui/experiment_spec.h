// An experiment as the "New experiment" dialog describes it, and its expansion into one
// training config per (method, learning rate, seed). Qt-free and torch-free so it is
// tested directly. Each config is parsed and checked once, here, by training's own
// parser; from then on it travels to the trainer as a TrainConfig.
#pragma once

#include <nlohmann/json.hpp>

#include "training/runs/train_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::ui {

struct ExperimentSpec {
  nlohmann::json base = nlohmann::json::object();  // preset keys (e.g. resources/demo/demo.json)
  bool demoCheckpoint = true;        // use (and create once) the demo's random-init BERT
  std::string checkpoint;            // otherwise: a Hugging Face folder
  std::string task = "demo";
  std::string dataDir;               // GLUE folder for the GLUE tasks
  // task "custom": its files (.tsv, .csv or .jsonl) and columns, labels in id order.
  std::string trainFile, evalFile;
  std::string textColumn, textBColumn, labelColumn;
  std::vector<std::string> labels;
  std::vector<std::string> methods = {"ee", "sweet", "mm"};  // and/or "pcgrad"
  std::vector<int64_t> exitLayers;   // empty: the checkpoint depth's defaults (not the base's)
  // Issue 25's remedies. The partial cut's α goes to the EE runs only (the trainer refuses
  // it for the others: SWEET is the cut at 0, MM shares nothing); the loss weights go to
  // every run ("uniform", "layer" or one number per exit; mm refuses all but uniform).
  double sweetAlpha = 1.0;
  nlohmann::json exitLossWeights = "uniform";
  std::vector<int64_t> seeds = {42};
  std::vector<double> learningRates = {5e-4};
  int64_t epochs = 4, batchSize = 32, maxLength = 40, trainCap = 4000;
  std::string device = "cpu";
  std::string precision = "auto";    // fp32, tf32, bf16, fp16 or auto
  int64_t threads = 0;               // 0 = the machine's cores (shared among parallel runs)
  int64_t checkpointEvery = 0;       // resume checkpoints every N steps; 0 = only on Stop
  int64_t gradientEvery = 50;        // 0 = recorder off
  int64_t evalEvery = 100;           // interim evaluations for live curves; 0 = off
  std::string outputDir = "runs";
};

struct PlannedRun {
  std::string name;                  // the run's resolved name, for the queue
  TrainConfig config;                // checked: the trainer runs it as it is
  std::string demoCheckpointDir;     // non-empty: create the demo checkpoint here first
};

// One run per method x learning rate x seed, in that nesting order. Throws
// std::runtime_error naming the field or config key that is wrong.
std::vector<PlannedRun> expandExperiment(const ExperimentSpec& spec);

// "1, 4,6 12" -> {1, 4, 6, 12}; throws std::runtime_error naming the bad item.
std::vector<int64_t> parseIntList(const std::string& text);
std::vector<double> parseDoubleList(const std::string& text);
// "neg, pos" -> {"neg", "pos"} (commas or semicolons between items; spaces inside kept).
std::vector<std::string> parseNameList(const std::string& text);
// The exit-loss-weights field: "" or "uniform", "layer", else a number list ("1, 0.5, 2")
// as a JSON array; throws std::runtime_error naming the bad item. Whether the list fits
// the exits is training's check (exitLossWeightsProblem).
nlohmann::json parseExitLossWeights(const std::string& text);

}  // namespace sweet::ui
