// An exclusive advisory lock on a run (or a sweep): a lock file beside the run file,
// <output_dir>/<run name>.lock, locked with flock(2) for as long as the process writes and
// holding "pid PID on HOST" so a second writer can say whom it met. Two `sweet train` of one
// config, or two resumes of one killed run, used to train side by side and lose a finished
// run; now the second stops before it writes anything.
//
// A stale lock file (its process killed -9) holds no lock: the kernel released it with the
// process, so the next writer simply takes it over. On NFS, flock is emulated with POSIX
// record locks, which Linux clients forward to the server: a lock held on one node is seen
// on every other.
#pragma once

#include <functional>
#include <string>

namespace sweet {

class RunLock {
 public:
  // Takes the lock on `path` (created when absent) or throws std::runtime_error naming
  // `what` and the holder's pid and host. A file system without locks (ENOLCK) runs
  // unlocked with a warning through `say`.
  RunLock(std::string path, const std::string& what, const std::function<void(const std::string&)>& say);
  // Removes the lock file and releases the lock.
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace sweet
