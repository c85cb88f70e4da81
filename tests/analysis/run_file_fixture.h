// Hand-made run files for the analysis tests: writes the layout of docs/run-file.md with
// chosen logits so every expected number can be worked out by hand (no torch needed).
#pragma once

#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sweet::testing {

struct FakeRun {
  std::string method = "ee";
  std::string task = "sst2";
  std::string metric = "accuracy";
  std::vector<std::string> labelNames = {"negative", "positive"};
  std::vector<int64_t> exitLayers = {1, 4, 6, 12};
  int64_t seed = 1;
  double learningRate = 2e-5;
  nlohmann::json config = nlohmann::json::object();
  int64_t formatVersion = 1;
  std::vector<int64_t> status = {1, 10, 10};
  std::vector<float> evalLogits;   // [E, N, K]
  std::vector<int64_t> evalLabels; // [N]
  std::vector<float> calibrationLogits;
  std::vector<int64_t> calibrationLabels;
  std::vector<float> trainLoss;    // [steps, E]
  int64_t numLayers = 0;           // 0: the last exit layer
  std::string calibrationScheme;   // written as the calibration_scheme attribute when set
  std::vector<int64_t> evalFold;   // /calibration/eval_fold when set
  nlohmann::json modelIdentity;    // model_identity attribute when not null
  std::vector<int64_t> trainIndices;  // /train/indices when set
  std::vector<float> lteScores;    // /eval/lte_scores [E, N] when set
  // /eval/text when evalTextA is set (rows 0.., lines 2..: a file with a header line);
  // evalTextB for a pair task.
  std::vector<std::string> evalTextA, evalTextB;

  int64_t exits() const { return static_cast<int64_t>(exitLayers.size()); }
  int64_t classes() const { return static_cast<int64_t>(labelNames.size()); }
};

// A logit set held in memory: logits [exits, instances, classes], one label per instance.
inline analysis::LogitSet logitSet(int64_t exits, int64_t classes, std::vector<float> logits, std::vector<int64_t> labels) {
  analysis::LogitSet set;
  set.exits = exits;
  set.instances = static_cast<int64_t>(labels.size());
  set.classes = classes;
  set.logits = std::move(logits);
  set.labels = std::move(labels);
  return set;
}

// Binary logits (0, log(p / (1 − p))): softmax gives exactly p for class 1 (up to rounding).
inline std::vector<float> binaryLogits(double probabilityOfPositive) {
  return {0.0f, static_cast<float>(std::log(probabilityOfPositive / (1 - probabilityOfPositive)))};
}

// Builds [E, N, 2] logits from a table of P(class 1) given as probs[exit][instance].
inline std::vector<float> binaryLogitTable(const std::vector<std::vector<double>>& probs) {
  std::vector<float> out;
  for (const auto& exitRow : probs)
    for (double p : exitRow) {
      auto z = binaryLogits(p);
      out.insert(out.end(), z.begin(), z.end());
    }
  return out;
}

// Texts as docs/run-file.md stores them: UTF-8 bytes back to back, int64 [n+1] offsets.
inline void writeTexts(H5::H5File& file, const std::string& path, const std::vector<std::string>& texts) {
  std::string bytes;
  std::vector<int64_t> offsets{0};
  for (const std::string& text : texts) offsets.push_back(static_cast<int64_t>((bytes += text).size()));
  const hsize_t size = bytes.size();
  file.createDataSet(path, H5::PredType::STD_U8LE, H5::DataSpace(1, &size), H5::DSetCreatPropList::DEFAULT,
                     H5::DSetAccPropList::DEFAULT, h5::makeIntermediateGroups())
      .write(bytes.data(), H5::PredType::NATIVE_UINT8);
  h5::writeInt64(file, path + "_offsets", {offsets.size()}, offsets.data());
}

inline void writeEvalTexts(H5::H5File& file, const FakeRun& run) {
  std::vector<int64_t> rows, lines;
  for (size_t i = 0; i < run.evalTextA.size(); ++i) rows.push_back(static_cast<int64_t>(i)), lines.push_back(static_cast<int64_t>(i) + 2);
  h5::writeInt64(file, "/eval/text/indices", {rows.size()}, rows.data());
  h5::writeInt64(file, "/eval/text/lines", {lines.size()}, lines.data());
  writeTexts(file, "/eval/text/a", run.evalTextA);
  if (!run.evalTextB.empty()) writeTexts(file, "/eval/text/b", run.evalTextB);
}

inline void writeRunInto(H5::H5File& file, const FakeRun& run) {
  H5::Group root = file.openGroup("/");
  h5::writeStringAttr(root, "format", "sweet-run");
  h5::writeInt64Attr(root, "format_version", run.formatVersion);
  nlohmann::json config = run.config;
  if (config.empty()) config = {{"method", run.method}, {"task", run.task}, {"seed", run.seed},
                                {"learning_rate", run.learningRate}, {"output", "/tmp/x.h5"}};
  h5::writeStringAttr(root, "config", config.dump());
  h5::writeStringAttr(root, "environment", R"({"sweet_version":"test"})");
  h5::writeStringAttr(root, "method", run.method);
  h5::writeStringAttr(root, "task", run.task);
  h5::writeStringAttr(root, "metric", run.metric);
  h5::writeStringAttr(root, "label_names", nlohmann::json(run.labelNames).dump());
  h5::writeInt64Attr(root, "num_labels", run.classes());
  h5::writeInt64ArrayAttr(root, "exit_layers", run.exitLayers);
  h5::writeInt64Attr(root, "num_layers", run.numLayers > 0 ? run.numLayers : run.exitLayers.back());
  if (!run.calibrationScheme.empty()) h5::writeStringAttr(root, "calibration_scheme", run.calibrationScheme);
  if (!run.modelIdentity.is_null()) h5::writeStringAttr(root, "model_identity", run.modelIdentity.dump());
  h5::writeInt64Attr(root, "seed", run.seed);
  h5::writeFloat64Attr(root, "learning_rate", run.learningRate);
  h5::writeStringAttr(root, "run_name", run.task + "-" + run.method + "-s" + std::to_string(run.seed));
  h5::writeInt64(file, "/status", {3}, run.status.data());
  const hsize_t n = run.evalLabels.size();
  const hsize_t e = static_cast<hsize_t>(run.exits()), k = static_cast<hsize_t>(run.classes());
  h5::writeFloat32(file, "/eval/logits", {e, n, k}, run.evalLogits.data());
  h5::writeInt64(file, "/eval/labels", {n}, run.evalLabels.data());
  const int64_t done = 1;
  h5::writeInt64(file, "/eval/done", {1}, &done);
  if (!run.calibrationLabels.empty()) {
    const hsize_t m = run.calibrationLabels.size();
    h5::writeFloat32(file, "/calibration/logits", {e, m, k}, run.calibrationLogits.data());
    h5::writeInt64(file, "/calibration/labels", {m}, run.calibrationLabels.data());
  }
  if (!run.lteScores.empty()) h5::writeFloat32(file, "/eval/lte_scores", {e, n}, run.lteScores.data());
  if (!run.evalTextA.empty()) writeEvalTexts(file, run);
  if (!run.evalFold.empty()) h5::writeInt64(file, "/calibration/eval_fold", {run.evalFold.size()}, run.evalFold.data());
  if (!run.trainIndices.empty())
    h5::writeInt64(file, "/train/indices", {run.trainIndices.size()}, run.trainIndices.data());
  if (!run.trainLoss.empty()) {
    const hsize_t steps = run.trainLoss.size() / e;
    h5::writeFloat32(file, "/train/loss", {steps, e}, run.trainLoss.data());
    std::vector<float> lr(steps, static_cast<float>(run.learningRate));
    h5::writeFloat32(file, "/train/lr", {steps}, lr.data());
  }
}

inline void writeRun(const std::string& path, const FakeRun& run) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  writeRunInto(file, run);
}

// A two-exit binary run with three instances, for tests that only need a valid file.
inline FakeRun smallRun() {
  FakeRun run;
  run.exitLayers = {2, 4};
  run.evalLogits = binaryLogitTable({{0.9, 0.4, 0.3}, {0.8, 0.7, 0.1}});
  run.evalLabels = {1, 1, 0};
  return run;
}

}  // namespace sweet::testing
