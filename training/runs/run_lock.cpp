// Run lock file: see run_lock.h.
#include "training/runs/run_lock.h"

#include "analysis/local_host.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace sweet {
namespace {

// The holder writes its name just after it locks: a reader that comes in between waits a
// moment for it rather than naming nobody.
std::string holderOf(int fd) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    char text[512] = {};
    const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    std::string holder(text, n > 0 ? static_cast<size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    if (!holder.empty()) return holder;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return "another process";
}

// True when `fd` is still the file at `path`: a holder removes its lock file before it
// releases the lock, so a process that opened the file just before that holds a lock on a
// file nobody else will open, and must try again on the one at the path now.
bool stillAtPath(int fd, const std::string& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

}  // namespace

RunLock::RunLock(std::string path, const std::string& what, const std::function<void(const std::string&)>& say)
    : path_(std::move(path)) {
  while (true) {
    // O_CLOEXEC: a sweep's child processes must not inherit (and so keep) the sweep's lock.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(path_ + ": cannot create the lock file: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EWOULDBLOCK) {
        const std::string holder = holderOf(fd_);
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error(what + " is being written by " + holder + " (lock " + path_ +
                                 "); wait for it to end or stop it first");
      }
      ::close(fd_);
      fd_ = -1;
      if (error == ENOLCK || error == EOPNOTSUPP) {
        say("warning: " + path_ + ": this file system has no locks (" + std::strerror(error) +
            "): nothing stops a second process from writing " + what + " at the same time");
        return;
      }
      throw std::runtime_error(path_ + ": cannot lock: " + std::strerror(error));
    }
    if (stillAtPath(fd_, path_)) break;
    ::close(fd_);
  }
  const std::string holder = "pid " + std::to_string(::getpid()) + " on " + analysis::localHostName() + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size()))
    say("warning: " + path_ + ": cannot write this process's name into the lock file (" + std::strerror(errno) +
        "); the lock holds all the same");
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // before the release: see stillAtPath
  ::close(fd_);
}

}  // namespace sweet
