// A file written through one descriptor that remembers its first write error (a full
// disk, a quota, a file-size limit, a folder gone read-only). After an error it accepts and
// drops every byte, so a serialiser that cannot be told to stop runs to its end — libtorch's
// zip writer aborts the whole process when a write comes up short — and finish() then
// reports the cause. A file not finished is removed, so no half-written file is left.
#pragma once

#include <cstddef>
#include <string>

namespace sweet {

class CheckedFile {
 public:
  // Creates (truncates) `path`. Throws std::runtime_error "<path>: cannot create: <cause>".
  explicit CheckedFile(std::string path);
  ~CheckedFile();  // removes the file unless finish() succeeded
  CheckedFile(const CheckedFile&) = delete;
  CheckedFile& operator=(const CheckedFile&) = delete;

  // Appends `n` bytes; always returns n (see above).
  size_t write(const void* data, size_t n);
  // Flushes to disk when `sync`, closes, and throws std::runtime_error
  // "<path>: cannot write: <cause>" (removing the file) when any write, the sync or the close
  // failed.
  void finish(bool sync);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  int error_ = 0;  // errno of the first failure; 0 = none
  bool finished_ = false;
};

// `bytes` into `path` through a CheckedFile.
void writeCheckedFile(const std::string& path, const std::string& bytes, bool sync);

}  // namespace sweet
