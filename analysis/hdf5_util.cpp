// Typed HDF5 helpers: see hdf5_util.h.
#include "hdf5_util.h"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace sweet::h5 {

H5::LinkCreatPropList makeIntermediateGroups() {
  H5::LinkCreatPropList props;
  props.setCreateIntermediateGroup(true);
  return props;
}

bool exists(const H5::H5Location& loc, const std::string& path) {
  // H5Lexists fails (rather than answering false) when an intermediate group is missing,
  // so walk the path one component at a time.
  std::string prefix;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) {
      prefix += (prefix.empty() ? "" : "/") + part;
      if (H5Lexists(loc.getId(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

namespace {

template <typename T>
void writeDataset(H5::H5Location& loc, const std::string& path, const Shape& shape,
                  const T* data, const H5::PredType& fileType, const H5::PredType& memType) {
  H5::DataSpace space(static_cast<int>(shape.size()), shape.data());
  if (exists(loc, path)) H5Ldelete(loc.getId(), path.c_str(), H5P_DEFAULT);
  H5::DataSet ds = loc.createDataSet(path, fileType, space, H5::DSetCreatPropList::DEFAULT,
                                     H5::DSetAccPropList::DEFAULT, makeIntermediateGroups());
  ds.write(data, memType);
}

template <typename T>
std::vector<T> readDataset(const H5::H5Location& loc, const std::string& path, Shape* shape,
                           const H5::PredType& memType) {
  H5::DataSet ds = loc.openDataSet(path);
  H5::DataSpace space = ds.getSpace();
  Shape dims(static_cast<size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  std::vector<T> out(count);
  if (count > 0) ds.read(out.data(), memType);
  if (shape) *shape = dims;
  return out;
}

}  // namespace

void writeFloat32(H5::H5Location& loc, const std::string& path, const Shape& shape,
                  const float* data) {
  writeDataset(loc, path, shape, data, H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT);
}

void writeInt64(H5::H5Location& loc, const std::string& path, const Shape& shape,
                const int64_t* data) {
  writeDataset(loc, path, shape, data, H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64);
}

std::vector<float> readFloat32(const H5::H5Location& loc, const std::string& path, Shape* shape) {
  return readDataset<float>(loc, path, shape, H5::PredType::NATIVE_FLOAT);
}

std::vector<int64_t> readInt64(const H5::H5Location& loc, const std::string& path, Shape* shape) {
  return readDataset<int64_t>(loc, path, shape, H5::PredType::NATIVE_INT64);
}

Shape datasetShape(const H5::H5Location& loc, const std::string& path) {
  H5::DataSpace space = loc.openDataSet(path).getSpace();
  Shape dims(static_cast<size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  return dims;
}

H5::FloatType halfFloatType() {
  // Sign bit 15, exponent bits 10..14 with bias 15, mantissa bits 0..9.
  H5::FloatType half(H5::PredType::IEEE_F32LE);
  half.setFields(15, 10, 5, 0, 10);
  half.setEbias(15);
  half.setPrecision(16);
  half.setSize(2);
  return half;
}

void writeStringAttr(H5::H5Object& object, const std::string& name, const std::string& value) {
  if (object.attrExists(name)) object.removeAttr(name);
  // Fixed-length (the text and its NUL), not variable-length: variable-length strings live
  // in HDF5's global heap, which has no checksum, and libhdf5 1.10 can crash or loop
  // forever reading a damaged one. A file without a global heap has no such weak spot.
  H5::StrType type(H5::PredType::C_S1, value.size() + 1);
  type.setStrpad(H5T_STR_NULLTERM);
  type.setCset(H5T_CSET_UTF8);
  H5::Attribute attr = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attr.write(type, value);
}

void writeInt64Attr(H5::H5Object& object, const std::string& name, int64_t value) {
  if (object.attrExists(name)) object.removeAttr(name);
  H5::Attribute attr =
      object.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR));
  attr.write(H5::PredType::NATIVE_INT64, &value);
}

void writeInt64ArrayAttr(H5::H5Object& object, const std::string& name,
                         const std::vector<int64_t>& values) {
  if (object.attrExists(name)) object.removeAttr(name);
  hsize_t n = values.size();
  H5::Attribute attr = object.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(1, &n));
  if (n > 0) attr.write(H5::PredType::NATIVE_INT64, values.data());
}

void writeFloat64Attr(H5::H5Object& object, const std::string& name, double value) {
  if (object.attrExists(name)) object.removeAttr(name);
  H5::Attribute attr =
      object.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  attr.write(H5::PredType::NATIVE_DOUBLE, &value);
}

bool hasAttr(const H5::H5Object& object, const std::string& name) {
  return object.attrExists(name);
}

std::string readStringAttr(const H5::H5Object& object, const std::string& name) {
  H5::Attribute attr = object.openAttribute(name);
  H5::StrType type = attr.getStrType();
  std::string value;
  attr.read(type, value);
  return value;
}

int64_t readInt64Attr(const H5::H5Object& object, const std::string& name) {
  int64_t value = 0;
  object.openAttribute(name).read(H5::PredType::NATIVE_INT64, &value);
  return value;
}

std::vector<int64_t> readInt64ArrayAttr(const H5::H5Object& object, const std::string& name) {
  H5::Attribute attr = object.openAttribute(name);
  std::vector<int64_t> values(static_cast<size_t>(attr.getSpace().getSimpleExtentNpoints()));
  if (!values.empty()) attr.read(H5::PredType::NATIVE_INT64, values.data());
  return values;
}

double readFloat64Attr(const H5::H5Object& object, const std::string& name) {
  double value = 0;
  object.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

namespace {

// SWMR readers retry a metadata read whose checksum fails, sleeping twice as long each time
// (a torn read of a block being written looks like damage). The library's default of 100
// attempts turns a damaged file into a hang of minutes; 20 attempts cost about 0.1 s on a
// damaged file and still ride out a concurrent writer's flush.
constexpr unsigned kSwmrReadAttempts = 20;

// The library's own file-access property for `h5clear -s`; not in its public headers.
constexpr const char* kClearStatusFlagsProperty = "clear_status_flags";

}  // namespace

bool flaggedOpenForWrite(const std::string& path) {
  // The superblock sits at 0, 512, 1024, ... (after an optional user block). Versions 2 and
  // 3 keep the file-consistency flags in byte 11; bit 0 is "open for write", bit 2 "open
  // for SWMR write". Versions 0 and 1 (files without SWMR) do not block plain readers.
  std::ifstream in(path, std::ios::binary);
  static const char signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  for (std::streamoff at = 0; in; at = at == 0 ? 512 : at * 2) {
    char head[12] = {};
    in.seekg(at);
    if (!in.read(head, sizeof head)) return false;
    if (std::equal(signature, signature + 8, head)) {
      const auto version = static_cast<unsigned char>(head[8]);
      return version >= 2 && (static_cast<unsigned char>(head[11]) & 0x05) != 0;
    }
    if (at > (std::streamoff{1} << 30)) return false;
  }
  return false;
}

H5::H5File openForReading(const std::string& path) {
  if (!std::ifstream(path).good()) throw std::runtime_error(path + ": cannot open file (missing or unreadable)");
  H5::Exception::dontPrint();
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw std::runtime_error(path + ": not an HDF5 file (or its header is truncated)");
  if (flaggedOpenForWrite(path)) {
    try {
      H5::FileAccPropList fapl;
      fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
      if (H5Pset_metadata_read_attempts(fapl.getId(), kSwmrReadAttempts) < 0)
        throw std::runtime_error(path + ": cannot set HDF5 read attempts");
      return H5::H5File(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5::FileCreatPropList::DEFAULT, fapl);
    } catch (const H5::Exception& e) {
      throw std::runtime_error(describe(path,
                                        "flagged as open for writing (a run in progress, or one killed before it "
                                        "closed the file) and cannot be read as it is being written; if no process "
                                        "writes it any more, `sweet repair " + path + "` clears the flag",
                                        e));
    }
  }
  try {
    return H5::H5File(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(describe(path, "cannot open as HDF5 (truncated or damaged?)", e));
  }
}

void clearWriteFlags(const std::string& path) {
  H5::Exception::dontPrint();
  H5::FileAccPropList fapl;
  hbool_t clear = true;
  if (H5Pset(fapl.getId(), kClearStatusFlagsProperty, &clear) < 0)
    throw std::runtime_error(path + ": this HDF5 library cannot clear a file's write flags (use h5clear -s)");
  try {
    H5::H5File file(path, H5F_ACC_RDWR, H5::FileCreatPropList::DEFAULT, fapl);
    file.close();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(describe(path, "cannot clear the write flags (damaged, or not writable?)", e));
  }
}

std::vector<float> readFloat32Slab(const H5::H5Location& loc, const std::string& path,
                                   const Shape& offset, const Shape& count) {
  H5::DataSet ds = loc.openDataSet(path);
  H5::DataSpace fileSpace = ds.getSpace();
  fileSpace.selectHyperslab(H5S_SELECT_SET, count.data(), offset.data());
  hsize_t total = std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  std::vector<float> out(total);
  H5::DataSpace memSpace(1, &total);
  if (total > 0) ds.read(out.data(), H5::PredType::NATIVE_FLOAT, memSpace, fileSpace);
  return out;
}

std::string describe(const std::string& file, const std::string& what, const H5::Exception& e) {
  return file + ": " + what + ": " + e.getDetailMsg();
}

}  // namespace sweet::h5
