// Pre-training run files: see pretrain_run_file.h.
#include "training/pretraining/pretrain_run_file.h"

#include <H5Cpp.h>

#include <stdexcept>

#include "analysis/hdf5_util.h"

namespace sweet {
namespace {

void writeFloats(H5::H5File& file, const std::string& path, const std::vector<float>& values) {
  h5::writeFloat32(file, path, {static_cast<hsize_t>(values.size())}, values.data());
}

void writeStatus(H5::H5File& file, RunState state, const std::string& message) {
  const int64_t status = static_cast<int64_t>(state);
  if (h5::exists(file, "status")) {
    file.openDataSet("status").write(&status, H5::PredType::NATIVE_INT64);
    file.unlink("status_message");
  } else {
    h5::writeInt64(file, "status", {1}, &status);
  }
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::DataSet text = file.createDataSet("status_message", type, H5::DataSpace(H5S_SCALAR));
  text.write(message, type);
}

}  // namespace

void createPretrainRunFile(const std::string& path, const std::string& configJson, const std::string& environmentJson) {
  try {
    H5::H5File file(path, H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    h5::writeStringAttr(root, "format", kPretrainFormat);
    h5::writeInt64Attr(root, "format_version", 1);
    h5::writeStringAttr(root, "config", configJson);
    h5::writeStringAttr(root, "environment", environmentJson);
    writeStatus(file, RunState::Running, "");
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(path, "cannot create the pre-training run file", e));
  }
}

void finishPretrainRunFile(const std::string& path, const PretrainRecord& r, RunState state, const std::string& message) {
  try {
    H5::H5File file(path, H5F_ACC_RDWR);
    writeFloats(file, "train/mlm_loss", r.mlm_loss);
    writeFloats(file, "train/mlm_accuracy", r.mlm_accuracy);
    writeFloats(file, "train/learning_rate", r.learning_rate);
    H5::Group train = file.openGroup("train");
    h5::writeInt64Attr(train, "total_steps", r.total_steps);
    h5::writeInt64Attr(train, "texts", r.train_texts);
    H5::Group eval = file.createGroup("eval");
    h5::writeInt64Attr(eval, "texts", r.eval_texts);
    h5::writeFloat64Attr(eval, "mlm_loss_before", r.eval_loss_before);
    h5::writeFloat64Attr(eval, "mlm_accuracy_before", r.eval_accuracy_before);
    h5::writeFloat64Attr(eval, "mlm_loss", r.eval_loss_after);
    h5::writeFloat64Attr(eval, "mlm_accuracy", r.eval_accuracy_after);
    writeStatus(file, state, message);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(path, "cannot write the pre-training results", e));
  }
}

PretrainRunFile readPretrainRunFile(const std::string& path) {
  PretrainRunFile out;
  try {
    H5::H5File file = h5::openForReading(path);
    H5::Group root = file.openGroup("/");
    if (!h5::hasAttr(root, "format") || h5::readStringAttr(root, "format") != kPretrainFormat)
      throw std::runtime_error(path + ": not a pre-training run file (format attribute is not 'sweet-pretrain')");
    out.config_json = h5::readStringAttr(root, "config");
    out.environment_json = h5::readStringAttr(root, "environment");
    out.state = static_cast<RunState>(h5::readInt64(file, "status").at(0));
    H5::DataSet text = file.openDataSet("status_message");
    text.read(out.status_message, text.getStrType());
    if (h5::exists(file, "train/mlm_loss")) {
      out.record.mlm_loss = h5::readFloat32(file, "train/mlm_loss");
      out.record.mlm_accuracy = h5::readFloat32(file, "train/mlm_accuracy");
      out.record.learning_rate = h5::readFloat32(file, "train/learning_rate");
      H5::Group train = file.openGroup("train");
      out.record.total_steps = h5::readInt64Attr(train, "total_steps");
      out.record.train_texts = h5::readInt64Attr(train, "texts");
      H5::Group eval = file.openGroup("eval");
      out.record.eval_texts = h5::readInt64Attr(eval, "texts");
      out.record.eval_loss_before = h5::readFloat64Attr(eval, "mlm_loss_before");
      out.record.eval_accuracy_before = h5::readFloat64Attr(eval, "mlm_accuracy_before");
      out.record.eval_loss_after = h5::readFloat64Attr(eval, "mlm_loss");
      out.record.eval_accuracy_after = h5::readFloat64Attr(eval, "mlm_accuracy");
    }
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(path, "cannot read the pre-training run file", e));
  }
  return out;
}

}  // namespace sweet
