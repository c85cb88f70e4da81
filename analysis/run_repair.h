// Repairing a run file whose writer died (kill -9, a crash, a machine going down): the
// superblock still says "open for write", so h5py's default open, h5dump and every other
// plain HDF5 reader refuse it, and /status still says "running". `sweet repair` is the
// one command that makes such a file an ordinary, honest HDF5 file again.
#pragma once

#include <string>

namespace sweet::analysis {

struct RepairOutcome {
  bool clearedFlag = false;   // the superblock's write flags were set and are now clear
  bool markedFailed = false;  // /status said "running"; it now says "failed", with why
  std::string summary;        // one line for the user
};

// Clears the write flags (as `h5clear -s`) and marks a "running" run whose writer is gone
// as failed at the step it reached, keeping every step written. A file its writer left
// shorter than its header records (the disk filled) is padded to that length first. When
// no process holds the run's lock, half-written files beside it (<run>.resume.pt.partial,
// .model.partial, .h5.resuming) are removed. Refuses (std::runtime_error)
// a file whose writer is still alive on this host, and files that are not run files or
// are damaged. Repairing a healthy file changes nothing.
RepairOutcome repairRunFile(const std::string& path);

}  // namespace sweet::analysis
