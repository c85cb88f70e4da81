// One run file (docs/run-file.md) loaded into memory: the attributes and the eval and
// calibration logits every analysis starts from. Reading is separate from analysing so the
// GUI, the CLI and the tests share one reader and one set of error messages.
#pragma once

#include "run_state.h"
#include <nlohmann/json.hpp>

#include "speed_record.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis {

// The newest run-file format this reader understands; newer files are refused.
inline constexpr int64_t kRunFormatVersion = 1;

// Logits of every exit on one split, laid out [exits, instances, classes] as in the file.
struct LogitSet {
  int64_t exits = 0;
  int64_t instances = 0;
  int64_t classes = 0;
  std::vector<float> logits;   // exits * instances * classes
  std::vector<int64_t> labels; // instances (empty for regression)
  // Regression runs (task_type "regression", e.g. STS-B): classes == 1, each "logit" is an
  // exit's predicted value, and targets [instances] holds the gold scores. Nothing that
  // needs class labels (softmax confidences, exit replay, temperatures) applies.
  bool regression = false;
  std::vector<float> targets;

  const float* row(int64_t exit, int64_t instance) const {
    return logits.data() + (exit * instances + instance) * classes;
  }
  bool empty() const { return instances == 0; }
};

// What each evaluation instance is (/eval/text): its row in the eval file and its text.
// Absent (present == false) in files written before run files kept it; their instances are
// the eval file's first N rows in file order, so instance i is row i there.
struct EvalInstanceTexts {
  bool present = false;
  std::vector<int64_t> indices;    // [N] 0-based row among the eval file's examples
  std::vector<int64_t> lines;      // [N] 1-based line in the eval file
  std::vector<std::string> textA;  // [N] the first (or only) segment
  std::vector<std::string> textB;  // [N] pair tasks' second segment; empty for one-segment tasks
  bool paired() const { return !textB.empty(); }
};

struct RunStatus {
  RunState state = RunState::Running;
  int64_t stepsDone = 0;
  int64_t totalSteps = 0;
  std::string message;        // /status_message: why a run stopped or failed ("" if none)
  int64_t heartbeat = 0;      // /heartbeat: UTC seconds of the last status write; 0 = not recorded
  bool flaggedOpen = false;   // the superblock still says a writer has the file open
};

struct RunData {
  std::string path;
  int64_t formatVersion = 0;
  std::string configText;          // the `config` attribute verbatim
  nlohmann::json config;           // parsed
  nlohmann::json environment;      // parsed `environment` (empty object if absent)
  std::string method;              // ee | sweet | mm | pcgrad
  std::string task;
  std::string metric;              // accuracy | mcc | f1 | pearson (regression)
  bool regression = false;         // task_type "regression": see LogitSet::regression
  std::vector<std::string> labelNames;
  int64_t numLabels = 0;
  std::vector<int64_t> exitLayers; // 1-based, ascending; back() <= numLayers
  int64_t numLayers = 0;           // the backbone's depth L_M (costs are fractions of it)
  int64_t seed = 0;
  double learningRate = 0;
  std::string runName;

  RunStatus status;
  bool evalDone = false;           // /eval/done == 1: eval.logits hold the final evaluation
  // The evaluation the views show: the final one when evalDone, else the newest interim
  // evaluation in /eval/history, else none (eval.empty(): the run has not been evaluated).
  LogitSet eval;
  int64_t evalStep = 0;            // optimiser steps done when `eval` was taken
  int64_t interimEvals = 0;        // rows in /eval/history
  std::optional<LogitSet> calibration;
  // Learning-to-exit scores of the final evaluation, row-major [exits, instances]
  // (/eval/lte_scores); empty when the run trained no LTE heads or is not evaluated yet.
  std::vector<float> lteScores;
  // The same for the calibration rows (/calibration/lte_scores, [E, C]); empty likewise.
  std::vector<float> calibrationLteScores;
  // How the trainer set up temperature scaling: "held_out" (calibration rows from the
  // training file beyond train_cap) or "cross_fit" (none left over: two-fold cross-fitting
  // on the eval set, folds in evalFold). Empty for files written before it was recorded.
  std::string calibrationScheme;
  std::vector<int64_t> evalFold;   // [N] 0 or 1; empty when not recorded
  EvalInstanceTexts evalTexts;     // the eval instances' text; see EvalInstanceTexts
  // The checkpoint's identity ({"name", "hash"}), so seeds of one experiment pool whatever
  // folder their checkpoint sat in; null for files written before it was recorded.
  nlohmann::json modelIdentity;
  int64_t trainCount = 0;          // rows trained on (length of /train/indices; 0 if absent)
  int64_t trainSteps = 0;
  std::vector<float> trainLoss;    // [trainSteps, exits]
  std::vector<float> trainLr;      // [trainSteps]
  bool hasGradients = false;
  bool hasSecondProbe = false; // /gradients/probe2: records on a second probe batch
  bool hasProjected = false;   // /gradients/projected: a PCGrad run's gradients after surgery
  // Wall-clock measurements of real early-exit inference (/speed, `sweet infer --measure`);
  // empty when none was taken.
  std::vector<SpeedMeasurement> speed;

  int64_t exits() const { return static_cast<int64_t>(exitLayers.size()); }
  bool hasEvaluation() const { return !eval.empty(); }
  // The writing process as the environment attribute records it (pid 0: not recorded).
  std::string writerHost() const;
  int64_t writerPid() const;
};

// Whether the run's writing process is known to be gone while the file still says
// "running" (it was killed, or the machine went down): the file is closed normally but
// not marked finished, or the pid recorded on this host no longer exists. A run written
// on another host with a live heartbeat cannot be judged and counts as alive.
bool writerGone(const RunData& run);

// One line on how far a run got and why it is not finished, e.g. "stopped by the user at
// step 30 of 120, before its evaluation". Empty for finished runs.
std::string unfinishedReason(const RunData& run);

// Reads a run file. Opens it for SWMR reading when the file allows (so a run still being
// written can be read), otherwise read-only. Throws std::runtime_error naming the file and
// the problem: missing file, not an HDF5 file / truncated, not a run file, newer format
// version, missing or mis-shaped attribute or dataset.
RunData loadRun(const std::string& path);

}  // namespace sweet::analysis
