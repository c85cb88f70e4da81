// Row-at-a-time datasets: see hdf5_rows.h.
#include "analysis/hdf5_rows.h"

#include <cstring>

namespace sweet::h5 {

H5::DataSet createExtendible(H5::H5Location& loc, const std::string& path, const H5::DataType& type,
                             const Shape& rowShape, hsize_t chunkRows, int deflate) {
  Shape dims = {0}, maxDims = {H5S_UNLIMITED}, chunk = {chunkRows};
  for (hsize_t d : rowShape) {
    dims.push_back(d);
    maxDims.push_back(d);
    chunk.push_back(d);
  }
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data(), maxDims.data());
  H5::DSetCreatPropList props;
  props.setChunk(static_cast<int>(chunk.size()), chunk.data());
  if (deflate > 0) props.setDeflate(deflate);
  return loc.createDataSet(path, type, space, props, H5::DSetAccPropList::DEFAULT, makeIntermediateGroups());
}

void appendRow(H5::DataSet& ds, int64_t index, const void* data, const H5::PredType& memType) {
  H5::DataSpace space = ds.getSpace();
  Shape dims(static_cast<size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  dims[0] = static_cast<hsize_t>(index + 1);
  ds.extend(dims.data());
  H5::DataSpace fileSpace = ds.getSpace();
  Shape start(dims.size(), 0), count = dims;
  start[0] = static_cast<hsize_t>(index);
  count[0] = 1;
  fileSpace.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
  H5::DataSpace memSpace(static_cast<int>(count.size()), count.data());
  ds.write(data, memType, memSpace, fileSpace);
}

H5::StrType fixedStringType(size_t bytes) {
  H5::StrType type(H5::PredType::C_S1, bytes);
  type.setStrpad(H5T_STR_NULLTERM);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

void writeFixedString(H5::DataSet& ds, const std::string& text, size_t bytes) {
  std::string buffer = text.substr(0, bytes - 1);
  buffer.resize(bytes, '\0');
  ds.write(buffer.data(), fixedStringType(bytes));
}

std::string writeFailure(const std::string& path, const std::string& what, const H5::Exception& e, int error) {
  if (error != 0) return path + ": " + what + ": " + std::strerror(error);
  return describe(path, what, e);
}

}  // namespace sweet::h5
