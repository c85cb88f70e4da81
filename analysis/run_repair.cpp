// Run-file repair: see run_repair.h.
#include "run_repair.h"

#include "hdf5_util.h"
#include "run_data.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace sweet::analysis {

namespace {

std::string utcTime(int64_t unixSeconds) {
  char text[32] = "unknown";
  const std::time_t t = static_cast<std::time_t>(unixSeconds);
  if (unixSeconds > 0) std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

// The run's other files (<run>.lock, .resume.pt.partial, ...): the run file's name
// without its .h5.
std::string runStem(const std::string& path) {
  const std::string suffix = ".h5";
  const bool h5 = path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  return h5 ? path.substr(0, path.size() - suffix.size()) : path;
}

// True when a process holds the run's lock (training/runs/run_lock.h): a lock file left
// by a dead process holds nothing.
bool lockHeld(const std::string& stem) {
  const int fd = ::open((stem + ".lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

// Half-written files a failed write (a full disk) or a kill left beside the run file: the
// next resume or save starts them over anyway, and they keep the disk full.
std::vector<std::string> removeLeftovers(const std::string& stem) {
  namespace fs = std::filesystem;
  std::vector<std::string> removed;
  for (const std::string& leftover : {stem + ".resume.pt.partial", stem + ".resume.pt.sha256.partial",
                                      stem + ".model.partial", stem + ".h5.resuming", stem + ".h5.speed.partial"}) {
    std::error_code ec;
    if (fs::exists(leftover, ec) && fs::remove_all(leftover, ec) > 0 && !ec) removed.push_back(leftover);
  }
  return removed;
}

// The end-of-file address the superblock (version 2 or 3, 8-byte offsets: every run file)
// records; 0 when it cannot be read. A writer whose disk filled may have recorded a longer
// file than it managed to write, and HDF5 refuses to open such a file as truncated.
uint64_t recordedEnd(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  static const char signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  for (std::streamoff at = 0; in && at <= (std::streamoff{1} << 30); at = at == 0 ? 512 : at * 2) {
    unsigned char head[36] = {};
    in.seekg(at);
    if (!in.read(reinterpret_cast<char*>(head), sizeof head)) return 0;
    if (!std::equal(signature, signature + 8, reinterpret_cast<const char*>(head))) continue;
    if (head[8] < 2 || head[9] != 8) return 0;
    uint64_t base = 0, end = 0;
    std::memcpy(&base, head + 12, 8);  // little-endian, as on every machine we build for
    std::memcpy(&end, head + 28, 8);
    return base + end;
  }
  return 0;
}

// Pads a file cut short by a full disk up to the length its superblock records, so HDF5
// opens it; the missing tail (the writes that failed) reads as zeros.
bool restoreRecordedLength(const std::string& path) {
  struct stat st {};
  const uint64_t end = recordedEnd(path);
  if (end == 0 || ::stat(path.c_str(), &st) != 0 || static_cast<uint64_t>(st.st_size) >= end) return false;
  if (::truncate(path.c_str(), static_cast<off_t>(end)) != 0)
    throw std::runtime_error(path + ": cannot extend it to the length its header records: " + std::strerror(errno));
  return true;
}

RunData loadForRepair(const std::string& path) {
  try {
    return loadRun(path);
  } catch (const std::exception& e) {
    // loadRun's own message sends a file flagged open to `sweet repair`, which is here.
    std::string why = e.what();
    if (why.rfind(path + ": ", 0) == 0) why = why.substr(path.size() + 2);
    throw std::runtime_error(path + ": cannot repair: not readable as a run file, not even as one being written (" + why +
                             "); its writer ended before the file was complete: delete it and train the run again");
  }
}

}  // namespace

RepairOutcome repairRunFile(const std::string& path) {
  const RunData run = loadForRepair(path);
  RepairOutcome outcome;
  const bool stillRunning = run.status.state == RunState::Running;
  const std::string stem = runStem(path);
  if (!run.status.flaggedOpen && !stillRunning) {
    outcome.summary = path + ": nothing to repair (" + runStateName(run.status.state) + ", closed normally)";
    if (!lockHeld(stem))
      for (const std::string& leftover : removeLeftovers(stem)) outcome.summary += "; removed the half-written " + leftover;
    return outcome;
  }
  if (stillRunning && !writerGone(run))
    throw std::runtime_error(path + ": still being written (pid " + std::to_string(run.writerPid()) + " on " +
                             run.writerHost() + ", last heartbeat " + utcTime(run.status.heartbeat) +
                             "); stop that run first");

  if (lockHeld(stem))
    throw std::runtime_error(path + ": still being written (its lock " + stem + ".lock is held); stop that run first");
  if (run.status.flaggedOpen) {
    restoreRecordedLength(path);
    h5::clearWriteFlags(path);
    outcome.clearedFlag = true;
  }
  if (stillRunning) {
    const std::string message = "interrupted: the writing process (pid " + std::to_string(run.writerPid()) + " on " +
                                run.writerHost() + ") ended without closing the file; last heartbeat " +
                                utcTime(run.status.heartbeat) + "; marked failed by sweet repair";
    try {
      H5::H5File file(path, H5F_ACC_RDWR);
      const int64_t status[3] = {static_cast<int64_t>(RunState::Failed), run.status.stepsDone, run.status.totalSteps};
      if (h5::exists(file, "/status_message")) {
        H5::DataSet ds = file.openDataSet("/status_message");
        H5::StrType type = ds.getStrType();
        std::string buffer = message.substr(0, type.getSize() - 1);
        buffer.resize(type.getSize(), '\0');
        ds.write(buffer.data(), type);
      }
      file.openDataSet("/status").write(status, H5::PredType::NATIVE_INT64);
      file.close();
    } catch (const H5::Exception& e) {
      throw std::runtime_error(h5::describe(path, "cannot rewrite /status", e));
    }
    outcome.markedFailed = true;
  }
  const std::vector<std::string> leftovers = removeLeftovers(stem);
  outcome.summary = path + ": " + (outcome.clearedFlag ? "cleared the open-for-write flag" : "");
  if (outcome.markedFailed)
    outcome.summary += std::string(outcome.clearedFlag ? "; " : "") + "marked failed at step " +
                       std::to_string(run.status.stepsDone) + " of " + std::to_string(run.status.totalSteps) +
                       " (every written step kept)";
  for (const std::string& leftover : leftovers) outcome.summary += "; removed the half-written " + leftover;
  return outcome;
}

}  // namespace sweet::analysis
