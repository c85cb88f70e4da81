// Closing an HDF5 file that was open for writing when the disk may have filled. HDF5 1.10
// frees a file whose close fails (its last flush could not be written) but keeps its id,
// and the library's exit handler then closes that id again and crashes in H5F__close_cb
// (1.14 keeps the file instead). So a file whose flush fails has its descriptor pointed at
// an in-memory file before the close: the close then succeeds, and the file on disk keeps
// what its last good flush wrote (a run that says "running": `sweet repair` marks it).
#pragma once

#include <H5Cpp.h>

#include <string>
#include <vector>

namespace sweet::h5 {

// Closes `datasets` (those still open), then `file`. Throws nothing. Returns "" when
// everything reached the disk, else why not (strerror of the failed write, or HDF5's
// message). When even the in-memory close fails, the process must not run HDF5's exit
// handler: see leftUnclosableFile.
std::string closeWrittenFile(H5::H5File& file, const std::vector<H5::DataSet*>& datasets);

// True once a file could not be closed at all; the program then ends with std::_Exit
// after flushing its output (HDF5's exit handler would crash on that file).
bool leftUnclosableFile();

}  // namespace sweet::h5
