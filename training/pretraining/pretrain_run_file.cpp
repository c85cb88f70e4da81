// Pre-training run files: see pretrain_run_file.h.
#include "training/pretraining/pretrain_run_file.h"

#include <H5Cpp.h>

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
#include "analysis/writer_liveness.h"
#include "training/runs/run_file_writer.h"

namespace sweet {
namespace {

constexpr int64_t kFormatVersion = 2;  // 2: written as it goes (SWMR), /status [3], /eval rows

int64_t unixNow() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

struct PretrainRunFileWriter::Impl {
  PretrainRunHeader header;
  H5::H5File file;
  H5::DataSet status, heartbeat, message, loss, accuracy, lr, evalStep, evalLoss, evalAccuracy;
  int64_t steps = 0, evals = 0;
  bool open = false;

  void create(const std::string& path);
  void writeStatus(RunState state);
  void flush() { file.flush(H5F_SCOPE_GLOBAL); }
  std::string closeAll() {
    return h5::closeWrittenFile(file, {&status, &heartbeat, &message, &loss, &accuracy, &lr, &evalStep, &evalLoss, &evalAccuracy});
  }
};

void PretrainRunFileWriter::Impl::create(const std::string& path) {
  H5::FileAccPropList fapl;
  fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);  // SWMR needs the latest format
  file = H5::H5File(path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
  H5::Group root = file.openGroup("/");
  h5::writeStringAttr(root, "format", kPretrainFormat);
  h5::writeInt64Attr(root, "format_version", kFormatVersion);
  h5::writeStringAttr(root, "config", header.config_json);
  h5::writeStringAttr(root, "environment", header.environment_json);
  const int64_t initial[3] = {static_cast<int64_t>(RunState::Running), 0, header.total_steps};
  h5::writeInt64(file, "status", {3}, initial);
  status = file.openDataSet("status");
  const int64_t now = unixNow();
  h5::writeInt64(file, "heartbeat", {1}, &now);
  heartbeat = file.openDataSet("heartbeat");
  message = file.createDataSet("status_message", h5::fixedStringType(kStatusMessageBytes), H5::DataSpace(H5S_SCALAR));
  h5::writeFixedString(message, "", kStatusMessageBytes);
  loss = h5::createExtendible(file, "train/mlm_loss", H5::PredType::IEEE_F32LE, {}, 256);
  accuracy = h5::createExtendible(file, "train/mlm_accuracy", H5::PredType::IEEE_F32LE, {}, 256);
  lr = h5::createExtendible(file, "train/learning_rate", H5::PredType::IEEE_F32LE, {}, 256);
  H5::Group train = file.openGroup("train");
  h5::writeInt64Attr(train, "texts", header.train_texts);
  evalStep = h5::createExtendible(file, "eval/step", H5::PredType::STD_I64LE, {}, 16);
  evalLoss = h5::createExtendible(file, "eval/mlm_loss", H5::PredType::IEEE_F64LE, {}, 16);
  evalAccuracy = h5::createExtendible(file, "eval/mlm_accuracy", H5::PredType::IEEE_F64LE, {}, 16);
  H5::Group eval = file.openGroup("eval");
  h5::writeInt64Attr(eval, "texts", header.eval_texts);
  flush();
  if (H5Fstart_swmr_write(file.getId()) < 0) throw std::runtime_error(path + ": cannot start SWMR write mode");
  open = true;
}

void PretrainRunFileWriter::Impl::writeStatus(RunState state) {
  const int64_t values[3] = {static_cast<int64_t>(state), steps, header.total_steps};
  status.write(values, H5::PredType::NATIVE_INT64);
  const int64_t now = unixNow();
  heartbeat.write(&now, H5::PredType::NATIVE_INT64);
}

PretrainRunFileWriter::PretrainRunFileWriter(const std::string& path, const PretrainRunHeader& header)
    : impl_(std::make_unique<Impl>()), path_(path) {
  impl_->header = header;
  try {
    errno = 0;
    H5::Exception::dontPrint();
    impl_->create(path);
  } catch (const H5::Exception& e) {
    const int error = errno;
    impl_->closeAll();
    std::remove(path.c_str());  // half made: no step in it, no reader could open it
    throw std::runtime_error(h5::writeFailure(path, "cannot create the pre-training run file", e, error));
  } catch (const std::runtime_error&) {
    impl_->closeAll();
    std::remove(path.c_str());
    throw;
  }
}

PretrainRunFileWriter::PretrainRunFileWriter(const std::string& path, const PretrainRunHeader& header, int64_t steps)
    : PretrainRunFileWriter(path + ".resuming", header) {
  const std::string building = path_;
  try {
    const PretrainRunFile old = readPretrainRunFile(path);
    if (static_cast<int64_t>(old.record.mlm_loss.size()) < steps)
      throw std::runtime_error(path + ": holds " + std::to_string(old.record.mlm_loss.size()) + " steps, fewer than the " +
                               std::to_string(steps) + " the checkpoint was taken after");
    for (size_t i = 0; i < static_cast<size_t>(steps); ++i)
      appendStep(old.record.mlm_loss[i], old.record.mlm_accuracy[i], old.record.learning_rate[i]);
    for (size_t i = 0; i < old.record.eval_steps.size() && old.record.eval_steps[i] <= steps; ++i)
      appendEval(old.record.eval_steps[i], old.record.eval_loss[i], old.record.eval_accuracy[i]);
  } catch (const std::exception& e) {
    impl_->open = false;
    impl_->closeAll();
    std::remove(building.c_str());
    throw std::runtime_error(path + ": cannot resume from it: " + e.what());
  }
  // The open file follows the rename: from here on the resumed run writes under `path`.
  if (std::rename(building.c_str(), path.c_str()) != 0) {
    const int error = errno;
    impl_->open = false;
    impl_->closeAll();
    std::remove(building.c_str());
    throw std::runtime_error(path + ": cannot replace it with the resumed run's file: " + std::strerror(error));
  }
  path_ = path;
}

PretrainRunFileWriter::~PretrainRunFileWriter() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; close() reported nothing we could act on here.
  }
}

int64_t PretrainRunFileWriter::steps() const { return impl_->steps; }

void PretrainRunFileWriter::appendStep(float mlmLoss, float mlmAccuracy, float learningRate) {
  auto& s = *impl_;
  try {
    errno = 0;
    // The loss row last: a reader that sees step r's loss also finds its accuracy and rate.
    h5::appendRow(s.accuracy, s.steps, &mlmAccuracy, H5::PredType::NATIVE_FLOAT);
    h5::appendRow(s.lr, s.steps, &learningRate, H5::PredType::NATIVE_FLOAT);
    h5::appendRow(s.loss, s.steps, &mlmLoss, H5::PredType::NATIVE_FLOAT);
    ++s.steps;
    s.writeStatus(RunState::Running);
    s.flush();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::writeFailure(path_, "cannot append pre-training step", e, errno));
  }
}

void PretrainRunFileWriter::appendEval(int64_t step, double mlmLoss, double mlmAccuracy) {
  auto& s = *impl_;
  try {
    errno = 0;
    h5::appendRow(s.evalLoss, s.evals, &mlmLoss, H5::PredType::NATIVE_DOUBLE);
    h5::appendRow(s.evalAccuracy, s.evals, &mlmAccuracy, H5::PredType::NATIVE_DOUBLE);
    h5::appendRow(s.evalStep, s.evals, &step, H5::PredType::NATIVE_INT64);
    ++s.evals;
    s.flush();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::writeFailure(path_, "cannot append held-out evaluation", e, errno));
  }
}

void PretrainRunFileWriter::setState(RunState state, const std::string& text) {
  auto& s = *impl_;
  try {
    errno = 0;
    h5::writeFixedString(s.message, text, kStatusMessageBytes);  // before the state: "failed" comes with its reason
    s.writeStatus(state);
    s.flush();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::writeFailure(path_, "cannot write status", e, errno));
  }
}

void PretrainRunFileWriter::close() {
  if (!impl_ || !impl_->open) return;
  impl_->open = false;
  const std::string lost = impl_->closeAll();
  if (!lost.empty())
    throw std::runtime_error(path_ + ": cannot write its last changes: " + lost + " (it keeps what was written before)");
}

namespace {

std::vector<double> readFloat64(H5::H5File& file, const std::string& name) {
  H5::DataSet ds = file.openDataSet(name);
  std::vector<double> values(static_cast<size_t>(ds.getSpace().getSimpleExtentNpoints()));
  if (!values.empty()) ds.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

void readEvaluations(H5::H5File& file, PretrainRecord& r) {
  r.eval_steps = h5::readInt64(file, "eval/step");
  // Rows whose step is written are complete (the step is appended last).
  std::vector<double> loss = readFloat64(file, "eval/mlm_loss"), accuracy = readFloat64(file, "eval/mlm_accuracy");
  loss.resize(r.eval_steps.size());
  accuracy.resize(r.eval_steps.size());
  r.eval_loss = loss;
  r.eval_accuracy = accuracy;
  const double nan = std::nan("");
  const bool any = !r.eval_steps.empty();
  r.eval_loss_before = any ? loss.front() : nan;
  r.eval_accuracy_before = any ? accuracy.front() : nan;
  r.eval_loss_after = any ? loss.back() : nan;
  r.eval_accuracy_after = any ? accuracy.back() : nan;
}

}  // namespace

PretrainRunFile readPretrainRunFile(const std::string& path) {
  PretrainRunFile out;
  try {
    H5::H5File file = h5::openForReading(path);
    H5::Group root = file.openGroup("/");
    if (!h5::hasAttr(root, "format") || h5::readStringAttr(root, "format") != kPretrainFormat)
      throw std::runtime_error(path + ": not a pre-training run file (format attribute is not 'sweet-pretrain')");
    const int64_t version = h5::hasAttr(root, "format_version") ? h5::readInt64Attr(root, "format_version") : 0;
    if (version != kFormatVersion)
      throw std::runtime_error(path + ": pre-training run file format_version " + std::to_string(version) +
                               " is not the one this build reads (" + std::to_string(kFormatVersion) + ")");
    out.config_json = h5::readStringAttr(root, "config");
    out.environment_json = h5::readStringAttr(root, "environment");
    const std::vector<int64_t> status = h5::readInt64(file, "status");
    out.state = static_cast<RunState>(status.at(0));
    out.steps_done = status.at(1);
    out.record.total_steps = status.at(2);
    H5::DataSet text = file.openDataSet("status_message");
    std::string message(kStatusMessageBytes, '\0');
    text.read(message.data(), text.getStrType());
    out.status_message = message.substr(0, message.find('\0'));
    // The loss last in each step: its length counts the complete steps.
    out.record.mlm_loss = h5::readFloat32(file, "train/mlm_loss");
    out.record.mlm_accuracy = h5::readFloat32(file, "train/mlm_accuracy");
    out.record.learning_rate = h5::readFloat32(file, "train/learning_rate");
    out.record.mlm_accuracy.resize(out.record.mlm_loss.size());
    out.record.learning_rate.resize(out.record.mlm_loss.size());
    H5::Group train = file.openGroup("train");
    out.record.train_texts = h5::readInt64Attr(train, "texts");
    H5::Group eval = file.openGroup("eval");
    out.record.eval_texts = h5::readInt64Attr(eval, "texts");
    readEvaluations(file, out.record);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(path, "cannot read the pre-training run file", e));
  }
  if (out.state == RunState::Running) {
    nlohmann::json environment = nlohmann::json::parse(out.environment_json, nullptr, false);
    out.writer_gone = analysis::writerProcessGone(h5::flaggedOpenForWrite(path), environment);
  }
  return out;
}

std::string PretrainRunFile::stateName() const { return writer_gone ? "killed" : runStateName(state); }

}  // namespace sweet
