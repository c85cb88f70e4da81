// Where each run of a sweep stands, read from the files on disk only (the run file and the
// resume checkpoint beside it), so the same answer comes from a laptop, a login node or a
// cluster node looking at the shared file system, with no daemon keeping track.
#pragma once

#include <string>
#include <vector>

#include "training/sweeps/sweep_spec.h"

namespace sweet {

enum class SweepRunState {
  Pending,     // no run file yet
  Running,     // its writer is alive (on this host, or another host with a fresh heartbeat)
  Resumable,   // stopped, killed or preempted, with a resume checkpoint: continues where it was
  Unfinished,  // stopped or killed before its first checkpoint (or unreadable): starts over
  Failed,      // the run file says failed (NaN loss, bad input): rerun only when asked
  Done,        // finished and evaluated
};

const char* sweepRunStateName(SweepRunState state);

struct SweepRunStatus {
  SweepRunState state = SweepRunState::Pending;
  int64_t steps_done = 0, total_steps = 0;
  std::string detail;  // the run file's message or why it could not be read
  // Keys whose values in the run file differ from the sweep's run (the sweep file was
  // edited after the run was trained): its results are not those of the sweep as written.
  std::vector<std::string> config_differences;
};

SweepRunStatus sweepRunStatus(const SweepRun& run);

// Whether `sweet sweep run` starts this run: pending, resumable and unfinished runs, and
// failed ones when asked to retry them.
bool needsRunning(SweepRunState state, bool retry_failed);

}  // namespace sweet
