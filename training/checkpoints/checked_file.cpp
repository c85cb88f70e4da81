// Checked file writes: see checked_file.h.
#include "training/checkpoints/checked_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sweet {

CheckedFile::CheckedFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(path_ + ": cannot create: " + std::strerror(errno));
}

CheckedFile::~CheckedFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) ::unlink(path_.c_str());
}

size_t CheckedFile::write(const void* data, size_t n) {
  const char* at = static_cast<const char*>(data);
  for (size_t left = n; left > 0 && error_ == 0;) {
    const ssize_t written = ::write(fd_, at, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      error_ = written < 0 ? errno : ENOSPC;
      break;
    }
    at += written;
    left -= static_cast<size_t>(written);
  }
  return n;
}

void CheckedFile::finish(bool sync) {
  if (error_ == 0 && sync && ::fsync(fd_) != 0) error_ = errno;
  // close() reports what a network or quota-checked file system defers to it.
  if (::close(fd_) != 0 && error_ == 0) error_ = errno;
  fd_ = -1;
  if (error_ != 0) {
    ::unlink(path_.c_str());
    throw std::runtime_error(path_ + ": cannot write: " + std::strerror(error_));
  }
  finished_ = true;
}

void writeCheckedFile(const std::string& path, const std::string& bytes, bool sync) {
  CheckedFile file(path);
  file.write(bytes.data(), bytes.size());
  file.finish(sync);
}

}  // namespace sweet
