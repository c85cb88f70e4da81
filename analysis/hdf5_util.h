// Small typed helpers over the HDF5 C++ API, shared by the run-file writer and readers.
// They exist so that callers name datasets by path and never juggle DataSpace/DataType,
// and so every HDF5 failure becomes one std::runtime_error naming the file and object.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::h5 {

// Shape of a dataset, outermost dimension first.
using Shape = std::vector<hsize_t>;

// Link-creation properties that make intermediate groups ("a/b/c") on the fly.
H5::LinkCreatPropList makeIntermediateGroups();

bool exists(const H5::H5Location& loc, const std::string& path);

// Fixed-size datasets, written whole.
void writeFloat32(H5::H5Location& loc, const std::string& path, const Shape& shape,
                  const float* data);
void writeInt64(H5::H5Location& loc, const std::string& path, const Shape& shape,
                const int64_t* data);

// Whole-dataset reads; `shape` (optional) receives the dataset's dimensions.
std::vector<float> readFloat32(const H5::H5Location& loc, const std::string& path,
                               Shape* shape = nullptr);
std::vector<int64_t> readInt64(const H5::H5Location& loc, const std::string& path,
                               Shape* shape = nullptr);
Shape datasetShape(const H5::H5Location& loc, const std::string& path);

// IEEE 754 binary16 as an HDF5 type (HDF5 1.10 has no predefined half type); HDF5
// converts float32 buffers to and from it on write and read.
H5::FloatType halfFloatType();

// Attributes on a group or dataset (`object` is "/" for the file's root).
void writeStringAttr(H5::H5Object& object, const std::string& name, const std::string& value);
void writeInt64Attr(H5::H5Object& object, const std::string& name, int64_t value);
void writeInt64ArrayAttr(H5::H5Object& object, const std::string& name,
                         const std::vector<int64_t>& values);
void writeFloat64Attr(H5::H5Object& object, const std::string& name, double value);

bool hasAttr(const H5::H5Object& object, const std::string& name);
std::string readStringAttr(const H5::H5Object& object, const std::string& name);
int64_t readInt64Attr(const H5::H5Object& object, const std::string& name);
std::vector<int64_t> readInt64ArrayAttr(const H5::H5Object& object, const std::string& name);
double readFloat64Attr(const H5::H5Object& object, const std::string& name);

// True when the file's superblock says a writer still has it open: a run in progress, or
// one killed before it could close the file. Plain HDF5 readers (h5py's default, h5dump)
// refuse such a file; SWMR readers and clearWriteFlags() do not.
bool flaggedOpenForWrite(const std::string& path);

// Opens an existing file for reading. A file flagged open for writing is opened as an SWMR
// reader (so a run still being written can be read) with a bounded number of metadata read
// retries; any other file plainly read-only, where a damaged checksum fails at once
// instead of being retried with growing sleeps. Throws std::runtime_error "<file>: ..."
// when the file is missing, not HDF5, truncated or damaged.
H5::H5File openForReading(const std::string& path);

// Clears the superblock's "open for write" flags as `h5clear -s` does, so every HDF5 tool
// opens the file again. Only for files no process is writing. Throws std::runtime_error.
void clearWriteFlags(const std::string& path);

// Reads `count` float32 values of a hyperslab [offset, offset+count) of a dataset of any
// floating type (float16 files are converted by HDF5).
std::vector<float> readFloat32Slab(const H5::H5Location& loc, const std::string& path,
                                   const Shape& offset, const Shape& count);

// Describes an HDF5 exception as "<file>: <what failed>: <hdf5 detail>".
std::string describe(const std::string& file, const std::string& what, const H5::Exception& e);

}  // namespace sweet::h5
