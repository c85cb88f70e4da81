// Run-file writer: see run_file_writer.h and docs/run-file.md.
#include "training/runs/run_file_writer.h"

#include <H5Cpp.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "analysis/hdf5_close.h"
#include "analysis/hdf5_rows.h"
#include "analysis/hdf5_util.h"

namespace sweet {

using h5::appendRow;
using h5::createExtendible;
using h5::writeFailure;

struct RunFileWriter::Impl {
  RunFileLayout layout;
  H5::H5File file;
  H5::DataSet status, heartbeat, statusMessage, loss, lr, evalLogits, evalDone, calLogits, historyStep, historyLogits;
  H5::DataSet gradStep, gradRaw, gradNorm, gradCosine, probe2Norm, probe2Cosine, projectedNorm, projectedCosine;
  H5::DataSet lteLoss, lteScores, calLteScores;
  int64_t steps = 0, records = 0, interimEvals = 0;
  int64_t totalSteps = 0;
  bool open = false;
  // The datasets of a new file, by part (SWMR: all of them exist before the first step).
  void createStatus();
  void createTrainAndEval(hsize_t exits, hsize_t labels);
  void createCalibration(hsize_t exits, hsize_t labels);
  void createGradients(hsize_t exits);
  // Datasets, then the file (analysis/hdf5_close.h); "" when everything reached the disk.
  std::string closeAll() {
    return h5::closeWrittenFile(file, {&status, &heartbeat, &statusMessage, &loss, &lr, &evalLogits, &evalDone, &calLogits,
                                       &historyStep, &historyLogits, &gradStep, &gradRaw, &gradNorm, &gradCosine,
                                       &probe2Norm, &probe2Cosine, &projectedNorm, &projectedCosine, &lteLoss, &lteScores, &calLteScores});
  }
};

namespace {

int64_t unixNow() { return static_cast<int64_t>(std::time(nullptr)); }

H5::StrType statusMessageType() { return h5::fixedStringType(kStatusMessageBytes); }

void writeStatusMessage(H5::DataSet& ds, const std::string& message) {
  h5::writeFixedString(ds, message, kStatusMessageBytes);
}

H5::DataSet createFixed(H5::H5Location& loc, const std::string& path, const H5::PredType& type, const h5::Shape& shape) {
  H5::DataSpace space(static_cast<int>(shape.size()), shape.data());
  H5::DSetCreatPropList props;
  if (type == H5::PredType::IEEE_F32LE) {
    const float nan = std::nanf("");
    props.setFillValue(H5::PredType::NATIVE_FLOAT, &nan);  // "not evaluated yet" reads as NaN
  }
  return loc.createDataSet(path, type, space, props, H5::DSetAccPropList::DEFAULT, h5::makeIntermediateGroups());
}

// Copies the first `rows` rows of `name` in `from` to the (empty) extendible `to`, in the
// file's own element type (float16 gradients stay float16).
void copyRows(H5::H5File& from, const std::string& name, H5::DataSet& to, int64_t rows) {
  if (rows <= 0) return;
  H5::DataSet source = from.openDataSet(name);
  H5::DataSpace space = source.getSpace();
  h5::Shape dims(static_cast<size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  if (dims.empty() || dims[0] < static_cast<hsize_t>(rows))
    throw std::runtime_error(name + " holds " + std::to_string(dims.empty() ? 0 : dims[0]) + " rows, fewer than the " +
                             std::to_string(rows) + " the checkpoint needs");
  h5::Shape start(dims.size(), 0), count = dims;
  count[0] = static_cast<hsize_t>(rows);
  space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
  H5::DataType type = source.getDataType();
  size_t bytes = type.getSize();
  for (hsize_t d : count) bytes *= d;
  std::vector<char> buffer(bytes);
  H5::DataSpace memory(static_cast<int>(count.size()), count.data());
  source.read(buffer.data(), type, memory, space);
  to.extend(count.data());
  H5::DataSpace target = to.getSpace();
  target.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
  to.write(buffer.data(), type, memory, target);
}

// How many leading entries of an int64 step dataset are <= `last` (and not `dropped`).
int64_t rowsUpTo(H5::H5File& from, const std::string& name, int64_t last, int64_t dropped) {
  if (!h5::exists(from, name)) return 0;
  int64_t rows = 0;
  for (int64_t step : h5::readInt64(from, name)) {
    if (step > last || step == dropped) break;
    ++rows;
  }
  return rows;
}

}  // namespace

RunFileWriter::RunFileWriter(const std::string& path, const RunFileLayout& layout, int64_t steps,
                             int64_t droppedRecordStep)
    : RunFileWriter(path + ".resuming", layout) {
  auto& s = *impl_;
  const std::string building = path_;
  try {
    errno = 0;
    H5::H5File old = h5::openForReading(path);
    copyRows(old, "train/loss", s.loss, steps);
    copyRows(old, "train/lr", s.lr, steps);
    if (s.layout.lte) copyRows(old, "train/lte_loss", s.lteLoss, steps);
    s.steps = steps;
    if (s.layout.evalCount() > 0) {
      s.interimEvals = rowsUpTo(old, "eval/history/step", steps, -1);
      copyRows(old, "eval/history/logits", s.historyLogits, s.interimEvals);
      copyRows(old, "eval/history/step", s.historyStep, s.interimEvals);
    }
    if (s.layout.record_gradients) {
      s.records = rowsUpTo(old, "gradients/step", steps, droppedRecordStep);
      copyRows(old, "gradients/step", s.gradStep, s.records);
      copyRows(old, "gradients/raw", s.gradRaw, s.records);
      copyRows(old, "gradients/norm", s.gradNorm, s.records);
      if (s.layout.second_probe_size > 0) {
        copyRows(old, "gradients/probe2/norm", s.probe2Norm, s.records);
        copyRows(old, "gradients/probe2/cosine", s.probe2Cosine, s.records);
      }
      if (s.layout.projected_gradients) {
        copyRows(old, "gradients/projected/norm", s.projectedNorm, s.records);
        copyRows(old, "gradients/projected/cosine", s.projectedCosine, s.records);
      }
      copyRows(old, "gradients/cosine", s.gradCosine, s.records);
    }
    old.close();
    const int64_t status[3] = {static_cast<int64_t>(RunState::Running), steps, s.totalSteps};
    s.status.write(status, H5::PredType::NATIVE_INT64);
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    const int error = errno;
    s.open = false;
    s.closeAll();
    std::remove(building.c_str());
    throw std::runtime_error(writeFailure(building, "cannot carry the run file over to the resumed run", e, error));
  } catch (const std::runtime_error& e) {
    s.open = false;
    s.closeAll();
    std::remove(building.c_str());
    throw std::runtime_error(path + ": cannot resume from it: " + e.what());
  }
  // The open file follows the rename: from here on the resumed run writes under `path`.
  if (std::rename(building.c_str(), path.c_str()) != 0) {
    s.open = false;
    s.closeAll();
    std::remove(building.c_str());
    throw std::runtime_error(path + ": cannot replace it with the resumed run's file");
  }
  path_ = path;
}

namespace {

// Strings as one uint8 dataset of their UTF-8 bytes back to back and an int64 [n+1] offsets
// dataset: no variable-length strings (see docs/run-file.md, "Root attributes"), and no
// padding of every text to the longest one.
void writeTexts(H5::H5File& file, const std::string& path, const std::vector<std::string>& texts) {
  std::string bytes;
  std::vector<int64_t> offsets{0};
  for (const std::string& text : texts) {
    bytes += text;
    offsets.push_back(static_cast<int64_t>(bytes.size()));
  }
  H5::DataSpace space(1, h5::Shape{bytes.size()}.data());
  file.createDataSet(path, H5::PredType::STD_U8LE, space, H5::DSetCreatPropList::DEFAULT, H5::DSetAccPropList::DEFAULT,
                     h5::makeIntermediateGroups())
      .write(bytes.data(), H5::PredType::NATIVE_UINT8);
  h5::writeInt64(file, path + "_offsets", {offsets.size()}, offsets.data());
}

// /eval/text: what each eval instance is, so the exit explorer shows its text. Left out of
// a layout that carries none (one built by hand, e.g. a benchmark's).
void writeEvalTexts(H5::H5File& file, const RunFileLayout& layout) {
  const EvalTexts& texts = layout.eval_texts;
  const size_t n = layout.evalCount();
  if (layout.eval_indices.size() != n || texts.text_a.size() != n || texts.lines.size() != n) return;
  h5::writeInt64(file, "eval/text/indices", {layout.eval_indices.size()}, layout.eval_indices.data());
  h5::writeInt64(file, "eval/text/lines", {texts.lines.size()}, texts.lines.data());
  writeTexts(file, "eval/text/a", texts.text_a);
  if (texts.paired()) writeTexts(file, "eval/text/b", texts.text_b);
}

void writeRootAttributes(H5::Group& root, const RunFileLayout& layout) {
  h5::writeStringAttr(root, "format", "sweet-run");
  h5::writeInt64Attr(root, "format_version", 1);
  h5::writeStringAttr(root, "config", layout.config_json);
  h5::writeStringAttr(root, "environment", layout.environment_json);
  h5::writeStringAttr(root, "method", layout.method);
  h5::writeStringAttr(root, "task", layout.task);
  h5::writeStringAttr(root, "metric", layout.metric);
  h5::writeStringAttr(root, "label_names", nlohmann::json(layout.label_names).dump());
  h5::writeInt64Attr(root, "num_labels", static_cast<int64_t>(layout.label_names.size()));
  if (layout.regression) h5::writeStringAttr(root, "task_type", "regression");
  h5::writeInt64ArrayAttr(root, "exit_layers", layout.exit_layers);
  h5::writeInt64Attr(root, "num_layers", layout.num_layers);
  h5::writeInt64Attr(root, "seed", layout.seed);
  h5::writeFloat64Attr(root, "learning_rate", layout.learning_rate);
  h5::writeStringAttr(root, "run_name", layout.run_name);
  if (!layout.calibration_scheme.empty()) h5::writeStringAttr(root, "calibration_scheme", layout.calibration_scheme);
  if (!layout.model_identity_json.empty()) h5::writeStringAttr(root, "model_identity", layout.model_identity_json);
}

}  // namespace

void RunFileWriter::Impl::createStatus() {
  const int64_t initialStatus[3] = {0, 0, layout.total_steps};
  h5::writeInt64(file, "status", {3}, initialStatus);
  status = file.openDataSet("status");
  // The heartbeat (UTC seconds of the last status write) lets a reader tell a live run
  // from one whose process died with the state still "running".
  const int64_t started = unixNow();
  h5::writeInt64(file, "heartbeat", {1}, &started);
  heartbeat = file.openDataSet("heartbeat");
  statusMessage = file.createDataSet("status_message", statusMessageType(), H5::DataSpace(H5S_SCALAR));
  writeStatusMessage(statusMessage, "");
}

void RunFileWriter::Impl::createTrainAndEval(hsize_t E, hsize_t K) {
  h5::writeInt64(file, "train/indices", {layout.train_indices.size()}, layout.train_indices.data());
  loss = createExtendible(file, "train/loss", H5::PredType::IEEE_F32LE, {E}, 256);
  lr = createExtendible(file, "train/lr", H5::PredType::IEEE_F32LE, {}, 256);
  if (layout.lte) lteLoss = createExtendible(file, "train/lte_loss", H5::PredType::IEEE_F32LE, {E}, 256);
  const hsize_t N = layout.evalCount();
  if (layout.regression)
    h5::writeFloat32(file, "eval/labels", {N}, layout.eval_targets.data());
  else
    h5::writeInt64(file, "eval/labels", {N}, layout.eval_labels.data());
  evalLogits = createFixed(file, "eval/logits", H5::PredType::IEEE_F32LE, {E, N, K});
  writeEvalTexts(file, layout);
  const int64_t zero = 0;
  h5::writeInt64(file, "eval/done", {1}, &zero);
  if (layout.lte) lteScores = createFixed(file, "eval/lte_scores", H5::PredType::IEEE_F32LE, {E, N});
  evalDone = file.openDataSet("eval/done");
  // Created for every run (empty unless eval_every > 0): SWMR allows no new datasets later.
  if (N > 0) {
    historyStep = createExtendible(file, "eval/history/step", H5::PredType::STD_I64LE, {}, 16);
    historyLogits = createExtendible(file, "eval/history/logits", H5::PredType::IEEE_F32LE, {E, N, K}, 1);
  }
}

void RunFileWriter::Impl::createCalibration(hsize_t E, hsize_t K) {
  const hsize_t C = layout.calibrationCount();
  h5::writeInt64(file, "calibration/indices", {layout.calibration_indices.size()}, layout.calibration_indices.data());
  if (layout.regression)
    h5::writeFloat32(file, "calibration/labels", {C}, layout.calibration_targets.data());
  else
    h5::writeInt64(file, "calibration/labels", {C}, layout.calibration_labels.data());
  calLogits = createFixed(file, "calibration/logits", H5::PredType::IEEE_F32LE, {E, C, K});
  if (layout.lte) calLteScores = createFixed(file, "calibration/lte_scores", H5::PredType::IEEE_F32LE, {E, C});
  if (!layout.eval_fold.empty())
    h5::writeInt64(file, "calibration/eval_fold", {layout.eval_fold.size()}, layout.eval_fold.data());
}

void RunFileWriter::Impl::createGradients(hsize_t E) {
  const auto G = static_cast<hsize_t>(layout.gradient_layers.size());
  H5::Group g = file.createGroup("gradients");
  h5::writeInt64ArrayAttr(g, "layers", layout.gradient_layers);
  h5::writeStringAttr(g, "matrix", layout.gradient_matrix);
  h5::writeInt64Attr(g, "rows", layout.gradient_rows);
  h5::writeInt64Attr(g, "cols", layout.gradient_cols);
  h5::writeStringAttr(g, "dtype", layout.gradient_dtype);
  h5::writeInt64Attr(g, "probe_size", layout.probe_size);
  const bool trainBatch = layout.gradient_probe == "train_batch";
  h5::writeStringAttr(g, "probe", trainBatch ? "train_batch" : "fixed");
  h5::writeStringAttr(g, "dropout", trainBatch ? "on" : "off");
  h5::writeInt64Attr(g, "second_probe_size", layout.second_probe_size);
  gradStep = createExtendible(file, "gradients/step", H5::PredType::STD_I64LE, {}, 64);
  H5::FloatType rawType(H5::PredType::IEEE_F32LE);
  if (layout.gradient_dtype == "float16") rawType = h5::halfFloatType();
  gradRaw = createExtendible(file, "gradients/raw", rawType,
                             {G, E, static_cast<hsize_t>(layout.gradient_rows), static_cast<hsize_t>(layout.gradient_cols)}, 1,
                             /*deflate=*/1);
  gradNorm = createExtendible(file, "gradients/norm", H5::PredType::IEEE_F32LE, {G, E}, 64);
  gradCosine = createExtendible(file, "gradients/cosine", H5::PredType::IEEE_F32LE, {G, E, E}, 64);
  if (layout.second_probe_size > 0) {
    probe2Norm = createExtendible(file, "gradients/probe2/norm", H5::PredType::IEEE_F32LE, {G, E}, 64);
    probe2Cosine = createExtendible(file, "gradients/probe2/cosine", H5::PredType::IEEE_F32LE, {G, E, E}, 64);
  }
  if (layout.projected_gradients) {
    projectedNorm = createExtendible(file, "gradients/projected/norm", H5::PredType::IEEE_F32LE, {G, E}, 64);
    projectedCosine = createExtendible(file, "gradients/projected/cosine", H5::PredType::IEEE_F32LE, {G, E, E}, 64);
  }
}

RunFileWriter::RunFileWriter(const std::string& path, const RunFileLayout& layout)
    : impl_(std::make_unique<Impl>()), path_(path) {
  auto& s = *impl_;
  s.layout = layout;
  s.totalSteps = layout.total_steps;
  const auto E = static_cast<hsize_t>(layout.exit_layers.size());
  const auto K = static_cast<hsize_t>(layout.label_names.size());
  try {
    errno = 0;
    H5::Exception::dontPrint();
    // SWMR needs the latest file format.
    H5::FileAccPropList fapl;
    fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    s.file = H5::H5File(path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
    H5::Group root = s.file.openGroup("/");
    writeRootAttributes(root, layout);
    s.createStatus();
    s.createTrainAndEval(E, K);
    s.createCalibration(E, K);
    if (layout.record_gradients) s.createGradients(E);
    s.file.flush(H5F_SCOPE_GLOBAL);
    if (H5Fstart_swmr_write(s.file.getId()) < 0) throw std::runtime_error(path + ": cannot start SWMR write mode");
    s.open = true;
  } catch (const H5::Exception& e) {
    const int error = errno;
    // A half-made file is closed here, not left to HDF5's exit (hdf5_close.h), and removed:
    // it holds no step, and no reader could open it.
    s.closeAll();
    std::remove(path.c_str());
    throw std::runtime_error(writeFailure(path, "cannot create run file", e, error));
  } catch (const std::runtime_error&) {
    s.closeAll();
    std::remove(path.c_str());
    throw;
  }
}

RunFileWriter::~RunFileWriter() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; close() reported nothing we could act on here.
  }
}

void RunFileWriter::appendStep(const std::vector<float>& exitLosses, float lr, int64_t stepsDone,
                               const std::vector<float>& lteLosses) {
  auto& s = *impl_;
  if (s.layout.lte && lteLosses.size() != exitLosses.size()) throw std::logic_error("training step without its LTE losses");
  try {
    errno = 0;
    // LTE losses before the step's loss row: a reader that sees step r also finds them.
    if (s.layout.lte) appendRow(s.lteLoss, s.steps, lteLosses.data(), H5::PredType::NATIVE_FLOAT);
    appendRow(s.loss, s.steps, exitLosses.data(), H5::PredType::NATIVE_FLOAT);
    appendRow(s.lr, s.steps, &lr, H5::PredType::NATIVE_FLOAT);
    const int64_t status[3] = {static_cast<int64_t>(RunState::Running), stepsDone, s.totalSteps};
    s.status.write(status, H5::PredType::NATIVE_INT64);
    const int64_t now = unixNow();
    s.heartbeat.write(&now, H5::PredType::NATIVE_INT64);
    s.file.flush(H5F_SCOPE_GLOBAL);
    ++s.steps;  // counted once on disk: a step whose write failed is not claimed (setState)
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot append training step", e, errno));
  }
}

void RunFileWriter::writeEvalLogits(const std::vector<float>& logits) {
  auto& s = *impl_;
  try {
    errno = 0;
    s.evalLogits.write(logits.data(), H5::PredType::NATIVE_FLOAT);
    const int64_t one = 1;
    s.evalDone.write(&one, H5::PredType::NATIVE_INT64);
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot write eval logits", e, errno));
  }
}

void RunFileWriter::writeEvalLteScores(const std::vector<float>& scores) {
  auto& s = *impl_;
  if (!s.layout.lte) throw std::logic_error("LTE scores on a run file without /eval/lte_scores");
  try {
    errno = 0;
    s.lteScores.write(scores.data(), H5::PredType::NATIVE_FLOAT);
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot write LTE scores", e, errno));
  }
}

void RunFileWriter::writeCalibrationLteScores(const std::vector<float>& scores) {
  auto& s = *impl_;
  if (!s.layout.lte) throw std::logic_error("LTE scores on a run file without /calibration/lte_scores");
  try {
    errno = 0;
    s.calLteScores.write(scores.data(), H5::PredType::NATIVE_FLOAT);
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot write calibration LTE scores", e, errno));
  }
}

void RunFileWriter::appendInterimEval(int64_t step, const std::vector<float>& logits) {
  auto& s = *impl_;
  if (s.layout.evalCount() == 0) return;
  try {
    errno = 0;
    // Logits first, then the step: a reader that sees step r also finds its logits.
    appendRow(s.historyLogits, s.interimEvals, logits.data(), H5::PredType::NATIVE_FLOAT);
    appendRow(s.historyStep, s.interimEvals, &step, H5::PredType::NATIVE_INT64);
    ++s.interimEvals;
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot append interim evaluation", e, errno));
  }
}

void RunFileWriter::writeCalibrationLogits(const std::vector<float>& logits) {
  auto& s = *impl_;
  if (s.layout.calibrationCount() == 0) return;
  try {
    errno = 0;
    s.calLogits.write(logits.data(), H5::PredType::NATIVE_FLOAT);
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot write calibration logits", e, errno));
  }
}

void RunFileWriter::appendGradientRecord(int64_t step, const std::vector<float>& raw, const std::vector<float>& norms,
                                         const std::vector<float>& cosines, const std::vector<float>& secondNorms,
                                         const std::vector<float>& secondCosines,
                                         const std::vector<float>& projectedNorms,
                                         const std::vector<float>& projectedCosines) {
  auto& s = *impl_;
  if (!s.layout.record_gradients) throw std::logic_error("gradient record on a run file without /gradients");
  try {
    errno = 0;
    appendRow(s.gradStep, s.records, &step, H5::PredType::NATIVE_INT64);
    appendRow(s.gradRaw, s.records, raw.data(), H5::PredType::NATIVE_FLOAT);
    appendRow(s.gradNorm, s.records, norms.data(), H5::PredType::NATIVE_FLOAT);
    if (s.layout.second_probe_size > 0) {
      if (secondNorms.empty() || secondCosines.empty()) throw std::logic_error("gradient record without its second probe");
      appendRow(s.probe2Norm, s.records, secondNorms.data(), H5::PredType::NATIVE_FLOAT);
      appendRow(s.probe2Cosine, s.records, secondCosines.data(), H5::PredType::NATIVE_FLOAT);
    }
    if (s.layout.projected_gradients) {
      if (projectedNorms.empty() || projectedCosines.empty()) throw std::logic_error("PCGrad gradient record without its projected measures");
      appendRow(s.projectedNorm, s.records, projectedNorms.data(), H5::PredType::NATIVE_FLOAT);
      appendRow(s.projectedCosine, s.records, projectedCosines.data(), H5::PredType::NATIVE_FLOAT);
    }
    // /cosine last: readers take the records /step and /cosine both hold.
    appendRow(s.gradCosine, s.records, cosines.data(), H5::PredType::NATIVE_FLOAT);
    ++s.records;
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot append gradient record", e, errno));
  }
}

void RunFileWriter::setState(RunState state, int64_t stepsDone, const std::string& message) {
  auto& s = *impl_;
  try {
    errno = 0;
    writeStatusMessage(s.statusMessage, message);
    const int64_t now = unixNow();
    s.heartbeat.write(&now, H5::PredType::NATIVE_INT64);
    // A step whose row could not be written (a full disk) is not claimed as done.
    const int64_t status[3] = {static_cast<int64_t>(state), std::min(stepsDone, s.steps), s.totalSteps};
    s.status.write(status, H5::PredType::NATIVE_INT64);
    s.file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(writeFailure(path_, "cannot write status", e, errno));
  }
}

void RunFileWriter::close() {
  if (!impl_ || !impl_->open) return;
  impl_->open = false;
  const std::string lost = impl_->closeAll();
  if (!lost.empty())
    throw std::runtime_error(path_ + ": cannot write its last changes: " + lost + " (it keeps what was written before)");
}

}  // namespace sweet
