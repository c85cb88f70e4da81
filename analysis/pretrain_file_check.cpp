// Pre-training run files among run files: see pretrain_file_check.h.
#include "pretrain_file_check.h"

#include <H5Cpp.h>

#include "hdf5_util.h"

namespace sweet::analysis {

bool isPretrainRunFile(const std::string& path) {
  try {
    H5::Exception::dontPrint();
    if (!H5::H5File::isHdf5(path)) return false;
    H5::H5File file = h5::openForReading(path);
    H5::Group root = file.openGroup("/");
    return h5::hasAttr(root, "format") && h5::readStringAttr(root, "format") == "sweet-pretrain";
  } catch (...) {
    return false;
  }
}

std::string pretrainRunFileNote(const std::string& path) {
  return path + ": a pre-training run file (sweet pretrain: MLM loss and accuracy, no exits); reports, repair and the "
                "workbench read fine-tuning run files (sweet train) only";
}

}  // namespace sweet::analysis
