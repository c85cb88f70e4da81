// Closing a written HDF5 file: see hdf5_close.h.
#include "hdf5_close.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace sweet::h5 {
namespace {

std::atomic<bool> unclosable{false};

// Points the file's descriptor (the sec2 driver's) at an anonymous in-memory file, so the
// writes HDF5 still owes on close go somewhere. The file on disk keeps its last flush.
void redirectToMemory(hid_t file) {
  void* handle = nullptr;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == nullptr) return;
  const int memory = ::memfd_create("sweet-unwritable-h5", MFD_CLOEXEC);
  if (memory < 0) return;
  ::dup2(memory, *static_cast<int*>(handle));
  ::close(memory);
}

}  // namespace

std::string closeWrittenFile(H5::H5File& file, const std::vector<H5::DataSet*>& datasets) {
  const hid_t id = file.getId();
  if (id < 0 || H5Iis_valid(id) <= 0) return "";
  std::string cause;
  errno = 0;
  if (H5Fflush(id, H5F_SCOPE_GLOBAL) < 0) {
    cause = errno != 0 ? std::strerror(errno) : "HDF5 could not flush it";
    redirectToMemory(id);
  }
  for (H5::DataSet* ds : datasets) {
    try {
      ds->close();
    } catch (const H5::Exception&) {
      // Its data went to the in-memory file or nowhere; the cause is already known.
    }
  }
  // An extra reference lets the C++ object let go of the id without closing it, so the
  // close below is the only one: a second close of a failed one would touch freed memory.
  H5Iinc_ref(id);
  try {
    file.close();
  } catch (const H5::Exception&) {
  }
  if (H5Fclose(id) < 0) {
    unclosable = true;
    if (cause.empty()) cause = "HDF5 could not close it";
  }
  return cause;
}

bool leftUnclosableFile() { return unclosable; }

}  // namespace sweet::h5
