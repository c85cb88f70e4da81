// Run naming: see run_naming.h.
#include "analysis/run_naming.h"

#include <cstdio>
#include <initializer_list>
#include <vector>

#include "analysis/run_data.h"

namespace sweet::analysis {

std::string compactNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  std::string s = text;
  for (const char* sign : {"e-0", "e+0"}) {  // 3e-05 -> 3e-5
    const auto at = s.find(sign);
    if (at != std::string::npos) s.erase(at + 2, 1);
  }
  if (const auto plus = s.find("e+"); plus != std::string::npos) s.erase(plus + 1, 1);  // 1e+10 -> 1e10
  return s;
}

std::string labelValueText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) return compactNumber(value.get<double>());
  if (!value.is_array()) return value.dump();
  std::string text;
  for (const auto& item : value) text += (text.empty() ? "" : ", ") + labelValueText(item);
  return "[" + text + "]";
}

std::string formatLearningRate(double learningRate) { return compactNumber(learningRate); }

std::string defaultRunName(const std::string& task, const std::string& method, double learningRate, int64_t seed) {
  return task + "-" + method + "-lr" + formatLearningRate(learningRate) + "-s" + std::to_string(seed);
}

std::string modelFolderName(std::string modelPath) {
  while (!modelPath.empty() && modelPath.back() == '/') modelPath.pop_back();
  const size_t slash = modelPath.find_last_of('/');
  return slash == std::string::npos ? modelPath : modelPath.substr(slash + 1);
}

std::string modelDisplayName(const RunData& run) {
  if (run.config.is_object() && run.config.contains("model") && run.config["model"].is_string()) {
    std::string name = modelFolderName(run.config["model"].get<std::string>());
    if (!name.empty()) return name;
  }
  return std::to_string(run.numLayers) + "L";
}

namespace {

// `key`'s value unless absent or one of `defaults` (the value the trainer assumes).
std::string nonDefault(const nlohmann::json& config, const char* key, std::initializer_list<const char*> defaults) {
  if (!config.contains(key) || config[key].is_null()) return "";
  const std::string text = labelValueText(config[key]);
  for (const char* d : defaults)
    if (text == d) return "";
  return text;
}

// "lte <schedule>" (+ an input, a threshold rule or a weight other than the defaults) for a
// run that trains learning-to-exit heads, else "".
std::string lteVariant(const nlohmann::json& config) {
  if (!config.contains("lte") || !config["lte"].is_object()) return "";
  const nlohmann::json& lte = config["lte"];
  if (!lte.value("enabled", false)) return "";
  std::string text = "lte " + lte.value("schedule", std::string("joint"));
  for (const std::string& value : {nonDefault(lte, "input", {"pooled"}), nonDefault(lte, "threshold_rule", {"minmax"})})
    if (!value.empty()) text += " " + value;
  if (lte.contains("weight") && lte["weight"].is_number() && lte["weight"].get<double>() != 1.0)
    text += " weight " + compactNumber(lte["weight"].get<double>());
  return text;
}

}  // namespace

std::string experimentVariant(const RunData& run) {
  if (!run.config.is_object()) return "";
  std::vector<std::string> parts;
  auto add = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) parts.push_back(name.empty() ? value : name + " " + value);
  };
  add("", lteVariant(run.config));
  add("pooler", nonDefault(run.config, "pooler", {"per_exit"}));
  // "auto" is fp32 on a CPU; a GPU run's auto is told apart by its device in the model row.
  add("precision", nonDefault(run.config, "precision", {"auto", "fp32"}));
  add("alpha", nonDefault(run.config, "sweet_alpha", {"1"}));
  add("weights", nonDefault(run.config, "exit_loss_weights", {"uniform"}));
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

std::string methodLabel(const RunData& run) {
  const std::string variant = experimentVariant(run);
  return variant.empty() ? run.method : run.method + " (" + variant + ")";
}

int methodRank(const std::string& label) {
  const std::string method = label.substr(0, label.find(' '));
  if (method == "ee") return 0;
  if (method == "mm") return 1;
  if (method == "sweet") return 2;
  if (method == "pcgrad") return 3;
  return 4;
}

}  // namespace sweet::analysis
