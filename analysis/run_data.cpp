// Run-file reader: see run_data.h and docs/run-file.md for the layout it follows.
#include "run_data.h"

#include "local_host.h"
#include "pretrain_file_check.h"
#include "writer_liveness.h"

#include <cmath>

#include "hdf5_util.h"

#include <cerrno>
#include <csignal>
#include <stdexcept>

#include <unistd.h>

namespace sweet::analysis {

namespace {

// Every failure inside loadRun becomes "<file>: <problem>" so the CLI prints one line.
[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error(path + ": " + problem);
}

void requireAttr(const std::string& path, const H5::H5Object& root, const std::string& name) {
  if (!h5::hasAttr(root, name)) fail(path, "not a complete run file: missing root attribute '" + name + "'");
}

nlohmann::json parseJson(const std::string& path, const std::string& name, const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(path, "attribute '" + name + "' is not valid JSON: " + e.what());
  }
}

LogitSet readLogitSet(const std::string& path, const H5::H5File& file, const std::string& group,
                      int64_t exits, int64_t classes, bool regression) {
  const std::string logitsPath = group + "/logits";
  const std::string labelsPath = group + "/labels";
  if (!h5::exists(file, logitsPath)) fail(path, "missing dataset " + logitsPath);
  if (!h5::exists(file, labelsPath)) fail(path, "missing dataset " + labelsPath);
  LogitSet set;
  h5::Shape shape;
  set.logits = h5::readFloat32(file, logitsPath, &shape);
  if (shape.size() != 3 || static_cast<int64_t>(shape[0]) != exits ||
      static_cast<int64_t>(shape[2]) != classes)
    fail(path, logitsPath + " has the wrong shape (expected [" + std::to_string(exits) +
                   ", N, " + std::to_string(classes) + "])");
  set.exits = exits;
  set.instances = static_cast<int64_t>(shape[1]);
  set.classes = classes;
  set.regression = regression;
  if (regression) {
    set.targets = h5::readFloat32(file, labelsPath, &shape);
    if (shape.size() != 1 || static_cast<int64_t>(shape[0]) != set.instances)
      fail(path, labelsPath + " has " + std::to_string(set.targets.size()) + " targets for " +
                     std::to_string(set.instances) + " instances");
    for (float target : set.targets)
      if (!std::isfinite(target)) fail(path, labelsPath + " holds a target that is not a finite number");
    return set;
  }
  set.labels = h5::readInt64(file, labelsPath, &shape);
  if (shape.size() != 1 || static_cast<int64_t>(shape[0]) != set.instances)
    fail(path, labelsPath + " has " + std::to_string(set.labels.size()) + " labels for " +
                   std::to_string(set.instances) + " instances");
  for (int64_t label : set.labels)
    if (label < 0 || label >= classes)
      fail(path, labelsPath + " holds label " + std::to_string(label) + " outside [0, " +
                     std::to_string(classes) + ")");
  return set;
}

void checkFormat(const std::string& path, const H5::Group& root, RunData& run) {
  requireAttr(path, root, "format");
  const std::string format = h5::readStringAttr(root, "format");
  if (format == "sweet-pretrain") throw std::runtime_error(pretrainRunFileNote(path));
  if (format != "sweet-run") fail(path, "not a sweet run file (format attribute is not 'sweet-run')");
  requireAttr(path, root, "format_version");
  run.formatVersion = h5::readInt64Attr(root, "format_version");
  if (run.formatVersion < 1) fail(path, "format_version " + std::to_string(run.formatVersion) + " is not a valid version");
  if (run.formatVersion > kRunFormatVersion)
    fail(path, "format_version " + std::to_string(run.formatVersion) +
                   " is newer than this reader understands (" + std::to_string(kRunFormatVersion) +
                   "); update sweet");
}

void checkExits(const std::string& path, const RunData& run) {
  if (run.regression && run.numLabels != 1) fail(path, "a regression run must have num_labels 1");
  if (!run.regression && run.numLabels < 2) fail(path, "num_labels must be at least 2");
  if (run.exitLayers.empty()) fail(path, "exit_layers is empty");
  for (size_t e = 0; e < run.exitLayers.size(); ++e)
    if (run.exitLayers[e] < 1 || (e > 0 && run.exitLayers[e] <= run.exitLayers[e - 1]))
      fail(path, "exit_layers must be 1-based and strictly ascending");
  // A custom exit list may stop before the backbone's last layer, never beyond it.
  if (run.exitLayers.back() > run.numLayers)
    fail(path, "the last exit layer (" + std::to_string(run.exitLayers.back()) +
                   ") is deeper than num_layers (" + std::to_string(run.numLayers) + ")");
}

// The root attributes: the config and what the run was (method, task, exits, ...).
void readAttributes(const std::string& path, const H5::Group& root, RunData& run) {
  for (const char* name : {"config", "method", "task", "metric", "label_names", "num_labels",
                           "exit_layers", "num_layers", "seed", "learning_rate", "run_name"})
    requireAttr(path, root, name);
  run.configText = h5::readStringAttr(root, "config");
  run.config = parseJson(path, "config", run.configText);
  run.environment = h5::hasAttr(root, "environment")
                        ? parseJson(path, "environment", h5::readStringAttr(root, "environment"))
                        : nlohmann::json::object();
  run.method = h5::readStringAttr(root, "method");
  if (run.method != "ee" && run.method != "sweet" && run.method != "mm" && run.method != "pcgrad")
    fail(path, "unknown method '" + run.method + "' (expected ee, sweet, mm or pcgrad)");
  run.task = h5::readStringAttr(root, "task");
  run.metric = h5::readStringAttr(root, "metric");
  nlohmann::json labels = parseJson(path, "label_names", h5::readStringAttr(root, "label_names"));
  if (!labels.is_array()) fail(path, "attribute 'label_names' is not a JSON array");
  for (const auto& name : labels) run.labelNames.push_back(name.is_string() ? name.get<std::string>() : name.dump());
  run.numLabels = h5::readInt64Attr(root, "num_labels");
  run.exitLayers = h5::readInt64ArrayAttr(root, "exit_layers");
  run.numLayers = h5::readInt64Attr(root, "num_layers");
  run.seed = h5::readInt64Attr(root, "seed");
  run.learningRate = h5::readFloat64Attr(root, "learning_rate");
  run.runName = h5::readStringAttr(root, "run_name");
  if (h5::hasAttr(root, "task_type")) {
    const std::string type = h5::readStringAttr(root, "task_type");
    if (type != "regression" && type != "classification")
      fail(path, "unknown task_type '" + type + "' (expected classification or regression)");
    run.regression = type == "regression";
  }
  checkExits(path, run);
}

void readStatus(const std::string& path, const H5::H5File& file, RunData& run) {
  if (!h5::exists(file, "/status")) fail(path, "missing dataset /status");
  std::vector<int64_t> status = h5::readInt64(file, "/status");
  if (status.size() != 3 || status[0] < 0 || status[0] > 3) fail(path, "/status is not [state, steps_done, total_steps]");
  run.status.state = static_cast<RunState>(status[0]);
  run.status.stepsDone = status[1];
  run.status.totalSteps = status[2];
  if (h5::exists(file, "/status_message")) {
    H5::DataSet ds = file.openDataSet("/status_message");
    H5::StrType type = ds.getStrType();
    if (type.isVariableStr() || type.getSize() > 65536) fail(path, "/status_message is not a fixed-size string");
    std::string text(type.getSize(), '\0');
    ds.read(text.data(), type);
    run.status.message = text.substr(0, text.find('\0'));
  }
  if (h5::exists(file, "/heartbeat")) {
    std::vector<int64_t> beat = h5::readInt64(file, "/heartbeat");
    if (beat.size() == 1) run.status.heartbeat = beat[0];
  }
  run.status.flaggedOpen = h5::flaggedOpenForWrite(path);
}

// Scores [exits, instances] beside a logit set (/eval/lte_scores, /calibration/lte_scores).
std::vector<float> readLteScores(const std::string& path, const H5::H5File& file, const std::string& dataset,
                                 int64_t exits, int64_t instances, const std::string& expected) {
  h5::Shape shape;
  std::vector<float> scores = h5::readFloat32(file, dataset, &shape);
  if (shape.size() != 2 || static_cast<int64_t>(shape[0]) != exits || static_cast<int64_t>(shape[1]) != instances)
    fail(path, dataset + " is not " + expected);
  return scores;
}

// The evaluation to show: the final one, else the newest interim one, else none.
void readEvaluation(const std::string& path, const H5::H5File& file, RunData& run) {
  run.evalDone = h5::exists(file, "/eval/done") && !h5::readInt64(file, "/eval/done").empty() &&
                 h5::readInt64(file, "/eval/done")[0] == 1;
  run.eval = readLogitSet(path, file, "/eval", run.exits(), run.numLabels, run.regression);
  run.evalStep = run.status.stepsDone;
  if (h5::exists(file, "/eval/history/step")) {
    const std::vector<int64_t> steps = h5::readInt64(file, "/eval/history/step");
    run.interimEvals = static_cast<int64_t>(steps.size());
    if (!run.evalDone && !steps.empty()) {
      // The newest interim evaluation; rows of the logits beyond the steps' count may be
      // half-written by a live writer, so the step count decides which row is complete.
      const auto r = static_cast<hsize_t>(steps.size() - 1);
      const h5::Shape shape = h5::datasetShape(file, "/eval/history/logits");
      const auto E = static_cast<hsize_t>(run.exits()), N = static_cast<hsize_t>(run.eval.instances),
                 K = static_cast<hsize_t>(run.numLabels);
      if (shape.size() != 4 || shape[0] <= r || shape[1] != E || shape[2] != N || shape[3] != K)
        fail(path, "/eval/history/logits is not [evaluations, exits, instances, classes]");
      run.eval.logits = h5::readFloat32Slab(file, "/eval/history/logits", {r, 0, 0, 0}, {1, E, N, K});
      run.evalStep = steps.back();
    }
  }
  if (!run.evalDone && run.interimEvals == 0) {
    // Not evaluated yet: the fill value (NaN) is no evaluation, so show none (the labels
    // stay, so a reader still knows the eval set's size).
    run.eval.logits.clear();
    run.eval.instances = 0;
  }
  if (run.evalDone && h5::exists(file, "/eval/lte_scores"))
    run.lteScores = readLteScores(path, file, "/eval/lte_scores", run.exits(), run.eval.instances, "[exits, instances]");
}

void readCalibration(const std::string& path, const H5::H5File& file, const H5::Group& root, RunData& run) {
  if (h5::exists(file, "/calibration/logits"))
    run.calibration = readLogitSet(path, file, "/calibration", run.exits(), run.numLabels, run.regression);
  // Calibration logits are written with the final evaluation: before it they are fill
  // values, so an interim evaluation is calibrated by cross-fitting on itself.
  if (!run.evalDone) run.calibration.reset();
  if (run.calibration && h5::exists(file, "/calibration/lte_scores"))
    run.calibrationLteScores = readLteScores(path, file, "/calibration/lte_scores", run.exits(),
                                             run.calibration->instances, "[exits, calibration instances]");
  if (h5::hasAttr(root, "calibration_scheme")) run.calibrationScheme = h5::readStringAttr(root, "calibration_scheme");
  if (h5::exists(file, "/calibration/eval_fold")) {
    run.evalFold = h5::readInt64(file, "/calibration/eval_fold");
    if (run.evalFold.size() != run.eval.labels.size())
      fail(path, "/calibration/eval_fold has " + std::to_string(run.evalFold.size()) + " entries for " +
                     std::to_string(run.eval.labels.size()) + " eval instances");
    for (int64_t f : run.evalFold)
      if (f != 0 && f != 1) fail(path, "/calibration/eval_fold holds " + std::to_string(f) + " (folds are 0 and 1)");
  }
}

// Strings stored as uint8 bytes back to back plus int64 [n+1] offsets (docs/run-file.md).
std::vector<std::string> readTexts(const std::string& path, const H5::H5File& file, const std::string& name, size_t n) {
  const std::vector<int64_t> offsets = h5::readInt64(file, name + "_offsets");
  H5::DataSet ds = file.openDataSet(name);
  const h5::Shape shape = h5::datasetShape(file, name);
  if (shape.size() != 1) fail(path, name + " is not a one-dimensional byte array");
  std::string bytes(static_cast<size_t>(shape[0]), '\0');
  if (!bytes.empty()) ds.read(bytes.data(), H5::PredType::NATIVE_UINT8);
  if (offsets.size() != n + 1 || offsets.front() != 0 || offsets.back() != static_cast<int64_t>(bytes.size()))
    fail(path, name + "_offsets does not hold " + std::to_string(n + 1) + " offsets from 0 to the " +
                   std::to_string(bytes.size()) + " bytes of " + name);
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) {
    if (offsets[i + 1] < offsets[i]) fail(path, name + "_offsets is not ascending at entry " + std::to_string(i));
    texts.push_back(bytes.substr(static_cast<size_t>(offsets[i]), static_cast<size_t>(offsets[i + 1] - offsets[i])));
  }
  return texts;
}

// /eval/text, when the file has it: one entry per eval label (the labels stay while the
// logits are not yet written, so N is known before the evaluation).
void readEvalTexts(const std::string& path, const H5::H5File& file, RunData& run) {
  if (!h5::exists(file, "/eval/text")) return;
  const size_t n = run.regression ? run.eval.targets.size() : run.eval.labels.size();
  EvalInstanceTexts& t = run.evalTexts;
  t.indices = h5::readInt64(file, "/eval/text/indices");
  t.lines = h5::readInt64(file, "/eval/text/lines");
  if (t.indices.size() != n || t.lines.size() != n)
    fail(path, "/eval/text/indices and /eval/text/lines must hold one entry per eval instance (" + std::to_string(n) +
                   "), not " + std::to_string(t.indices.size()) + " and " + std::to_string(t.lines.size()));
  t.textA = readTexts(path, file, "/eval/text/a", n);
  if (h5::exists(file, "/eval/text/b")) t.textB = readTexts(path, file, "/eval/text/b", n);
  t.present = true;
}

// What training left besides the evaluation: the checkpoint's identity, the training rows,
// the loss and learning-rate curves, gradient records and speed measurements.
void readTraining(const std::string& path, const H5::H5File& file, const H5::Group& root, RunData& run) {
  if (h5::hasAttr(root, "model_identity"))
    run.modelIdentity = parseJson(path, "model_identity", h5::readStringAttr(root, "model_identity"));
  if (h5::exists(file, "/train/indices")) {
    const h5::Shape shape = h5::datasetShape(file, "/train/indices");
    run.trainCount = shape.empty() ? 0 : static_cast<int64_t>(shape[0]);
  }
  if (h5::exists(file, "/train/loss")) {
    h5::Shape shape;
    run.trainLoss = h5::readFloat32(file, "/train/loss", &shape);
    if (shape.size() != 2 || static_cast<int64_t>(shape[1]) != run.exits())
      fail(path, "/train/loss is not [steps, exits]");
    run.trainSteps = static_cast<int64_t>(shape[0]);
  }
  if (h5::exists(file, "/train/lr")) run.trainLr = h5::readFloat32(file, "/train/lr");
  run.hasGradients = h5::exists(file, "/gradients/cosine");
  run.hasSecondProbe = h5::exists(file, "/gradients/probe2/cosine");
  run.hasProjected = h5::exists(file, "/gradients/projected/cosine");
  run.speed = readSpeedMeasurements(path, file);
}

RunData readRun(const std::string& path, const H5::H5File& file) {
  H5::Group root = file.openGroup("/");
  RunData run;
  run.path = path;
  checkFormat(path, root, run);
  readAttributes(path, root, run);
  readStatus(path, file, run);
  readEvaluation(path, file, run);
  readCalibration(path, file, root, run);
  readEvalTexts(path, file, run);
  readTraining(path, file, root, run);
  return run;
}

}  // namespace

std::string RunData::writerHost() const {
  return environment.is_object() && environment.contains("hostname") && environment["hostname"].is_string()
             ? environment["hostname"].get<std::string>()
             : std::string();
}

int64_t RunData::writerPid() const {
  return environment.is_object() && environment.contains("pid") && environment["pid"].is_number_integer()
             ? environment["pid"].get<int64_t>()
             : 0;
}

bool writerGone(const RunData& run) {
  if (run.status.state != RunState::Running) return false;
  return writerProcessGone(run.status.flaggedOpen, run.environment);
}

std::string unfinishedReason(const RunData& run) {
  if (run.status.state == RunState::Finished && run.evalDone) return "";
  const std::string at = "at step " + std::to_string(run.status.stepsDone) + " of " + std::to_string(run.status.totalSteps);
  std::string reason;
  switch (run.status.state) {
    case RunState::Running:
      reason = writerGone(run) ? "its process ended without closing the file (killed?) " + at
                               : "still running, " + at;
      break;
    case RunState::Stopped: reason = "stopped " + at; break;
    case RunState::Failed: reason = "failed " + at; break;
    case RunState::Finished: reason = "finished " + at; break;
    case RunState::Queued: reason = "not started"; break;  // never in a file; kept total
  }
  if (!run.evalDone)
    reason += run.interimEvals > 0 ? ", before its final evaluation (showing the interim one of step " +
                                         std::to_string(run.evalStep) + ")"
                                   : ", before its evaluation";
  if (!run.status.message.empty()) reason += " (" + run.status.message + ")";
  return reason;
}

RunData loadRun(const std::string& path) {
  H5::H5File file = h5::openForReading(path);
  try {
    return readRun(path, file);
  } catch (const H5::Exception& e) {
    // HDF5 reports truncated datasets and bad types as exceptions deep inside a read.
    throw std::runtime_error(h5::describe(path, "cannot read run file (truncated or damaged?)", e));
  }
}

}  // namespace sweet::analysis
