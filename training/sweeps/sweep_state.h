// Where each run of a sweep stands, read from the files on disk only (the run file and the
// resume checkpoint beside it), so the same answer comes from a laptop, a login node or a
// cluster node looking at the shared file system, with no daemon keeping track.
#pragma once

#include <string>
#include <vector>

#include "training/runs/run_files_status.h"
#include "training/sweeps/sweep_spec.h"

namespace sweet {

// A sweep run's state is its training run's (run_files_status.h): one decision for
// `sweet sweep`, the Sweeps tab and `sweet train --continue`.
using SweepRunState = RunFilesState;
using SweepRunStatus = RunFilesStatus;
inline const char* sweepRunStateName(SweepRunState state) { return runFilesStateName(state); }
inline SweepRunStatus sweepRunStatus(const SweepRun& run) { return runFilesStatus(run.train); }

// Whether `sweet sweep run` starts this run: pending, resumable and unfinished runs, and
// failed ones when asked to retry them.
bool needsRunning(SweepRunState state, bool retry_failed);

}  // namespace sweet
