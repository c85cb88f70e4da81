// Datasets that grow a row at a time, as a run's writer appends a step: an extendible
// dataset of fixed-shape rows and the one-row append. Shared by the fine-tuning run file
// and the pre-training run file, whose readers see each appended row once it is flushed.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <string>

#include "analysis/hdf5_util.h"

namespace sweet::h5 {

// An empty [0, rowShape...] dataset, unlimited in its first dimension, chunked by
// `chunkRows` rows (deflated at level `deflate` when > 0); intermediate groups are made.
H5::DataSet createExtendible(H5::H5Location& loc, const std::string& path, const H5::DataType& type,
                             const Shape& rowShape, hsize_t chunkRows, int deflate = 0);

// Writes row `index` (growing the dataset to index + 1 rows) from `data` in `memType`.
void appendRow(H5::DataSet& ds, int64_t index, const void* data, const H5::PredType& memType);

// A NUL-terminated UTF-8 string type of `bytes` bytes, and a write of `text` cut to fit:
// a status message a SWMR writer rewrites in place (it cannot add objects once writing).
H5::StrType fixedStringType(size_t bytes);
void writeFixedString(H5::DataSet& ds, const std::string& text, size_t bytes);

// "<file>: <what>: <cause>". HDF5's own message ("H5Fflush failed") leaves out why a write
// failed; errno, cleared before each operation, still holds it (a full disk, a quota, a
// file-size limit, a folder gone read-only): `error` is that errno, 0 for HDF5's message.
std::string writeFailure(const std::string& path, const std::string& what, const H5::Exception& e, int error);

}  // namespace sweet::h5
