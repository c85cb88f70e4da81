// Experiment expansion: see experiment_spec.h.
#include "ui/experiment_spec.h"

#include "analysis/run_naming.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace sweet::ui {
namespace {

std::vector<std::string> splitItems(const std::string& text) {
  std::string normalized = text;
  for (char& c : normalized)
    if (c == ',' || c == ';') c = ' ';
  std::istringstream in(normalized);
  std::vector<std::string> items;
  for (std::string item; in >> item;) items.push_back(item);
  return items;
}

}  // namespace

namespace {

// Whole items only: "4x" or "1e" is an error, not 4 or 1. `what` names the kind in the message.
template <typename T, typename Parse>
std::vector<T> parseList(const std::string& text, Parse parse, const char* what) {
  std::vector<T> out;
  for (const auto& item : splitItems(text)) {
    size_t used = 0;
    T v{};
    try {
      v = parse(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size()) throw std::runtime_error("'" + item + "' is not " + what);
    out.push_back(v);
  }
  return out;
}

}  // namespace

std::vector<int64_t> parseIntList(const std::string& text) {
  return parseList<int64_t>(text, [](const std::string& s, size_t* used) { return std::stoll(s, used); }, "a whole number");
}

std::vector<double> parseDoubleList(const std::string& text) {
  return parseList<double>(text, [](const std::string& s, size_t* used) { return std::stod(s, used); }, "a number");
}

std::vector<std::string> parseNameList(const std::string& text) {
  std::vector<std::string> names;
  std::string item;
  auto flush = [&] {
    const auto first = item.find_first_not_of(" \t");
    if (first != std::string::npos) names.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
    item.clear();
  };
  for (char c : text) {
    if (c == ',' || c == ';') flush();
    else item += c;
  }
  flush();
  return names;
}

nlohmann::json parseExitLossWeights(const std::string& text) {
  const auto items = splitItems(text);
  if (items.empty() || (items.size() == 1 && items[0] == "uniform")) return "uniform";
  if (items.size() == 1 && items[0] == "layer") return "layer";
  try {
    return parseDoubleList(text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + " (exit loss weights: uniform, layer or one number per exit)");
  }
}

std::vector<PlannedRun> expandExperiment(const ExperimentSpec& spec) {
  if (spec.methods.empty()) throw std::runtime_error("choose at least one method");
  if (spec.sweetAlpha != 1 && std::find(spec.methods.begin(), spec.methods.end(), "ee") == spec.methods.end())
    throw std::runtime_error("the partial cut α " + analysis::compactNumber(spec.sweetAlpha) +
                             " applies to method ee only: choose EE (SWEET is the cut at α 0)");
  if (spec.seeds.empty()) throw std::runtime_error("give at least one seed");
  if (spec.learningRates.empty()) throw std::runtime_error("give at least one learning rate");
  if (!spec.demoCheckpoint && spec.checkpoint.empty()) throw std::runtime_error("choose a checkpoint folder");
  if (spec.task == "custom" && (spec.trainFile.empty() || spec.evalFile.empty()))
    throw std::runtime_error("task custom needs a training file and an evaluation file");
  if (spec.task != "demo" && spec.task != "custom" && spec.dataDir.empty())
    throw std::runtime_error("task " + spec.task + " needs a data folder");
  const std::string demoDir = (std::filesystem::path(spec.outputDir) / "scratch-bert").string();
  std::vector<PlannedRun> runs;
  for (const auto& method : spec.methods)
    for (double lr : spec.learningRates)
      for (int64_t seed : spec.seeds) {
        nlohmann::json j = spec.base.is_object() ? spec.base : nlohmann::json::object();
        j["task"] = spec.task;
        if (spec.task == "custom") {
          j["train_file"] = spec.trainFile;
          j["eval_file"] = spec.evalFile;
          j["text_column"] = spec.textColumn;
          if (!spec.textBColumn.empty()) j["text_b_column"] = spec.textBColumn;
          j["label_column"] = spec.labelColumn;
          j["labels"] = spec.labels;
        } else if (spec.task != "demo") {
          j["data_dir"] = spec.dataDir;
        }
        j["method"] = method;
        j["model"] = spec.demoCheckpoint ? demoDir : spec.checkpoint;
        // An empty field means the depth's defaults, as the dialog says; a preset's exits
        // are in the field, so the base's must not come back unseen.
        if (spec.exitLayers.empty()) j.erase("exit_layers");
        else j["exit_layers"] = spec.exitLayers;
        if (method == "ee") j["sweet_alpha"] = spec.sweetAlpha;
        else j.erase("sweet_alpha");  // a preset's α is the EE runs' too
        j["exit_loss_weights"] = spec.exitLossWeights;
        j["seed"] = seed;
        j["learning_rate"] = lr;
        j["epochs"] = spec.epochs;
        j["batch_size"] = spec.batchSize;
        j["max_length"] = spec.maxLength;
        j["train_cap"] = spec.trainCap;
        j["device"] = spec.device;
        j["precision"] = spec.precision;
        j["threads"] = spec.threads;
        j["checkpoint_every"] = spec.checkpointEvery;
        j["gradients"]["every"] = spec.gradientEvery;
        j["eval_every"] = spec.evalEvery;
        j["output_dir"] = spec.outputDir;
        PlannedRun run;
        run.name = analysis::defaultRunName(spec.task, method, lr, seed);
        run.config = trainConfigFromJson(j, "experiment " + run.name);
        if (spec.demoCheckpoint) run.demoCheckpointDir = demoDir;
        runs.push_back(std::move(run));
      }
  return runs;
}

}  // namespace sweet::ui
