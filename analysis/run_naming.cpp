// Run naming: see run_naming.h.
#include "analysis/run_naming.h"

#include <cstdio>

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

int methodRank(const std::string& method) {
  if (method == "ee") return 0;
  if (method == "mm") return 1;
  if (method == "sweet") return 2;
  return 3;
}

}  // namespace sweet::analysis
