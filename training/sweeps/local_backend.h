// Runs a sweep on this machine: every run that needs running (sweep_state.h) as its own
// `sweet train CONFIG --continue` child process, N at a time, each writing its output to
// <output_dir>/logs/<id>.log. A crash or an out-of-memory kill ends one run, not the
// sweep; a stop request forwards SIGTERM once to every child, which checkpoints, so the
// next `sweet sweep run` resumes them.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "training/sweeps/sweep_spec.h"

namespace sweet {

struct LocalSweepOptions {
  int jobs = 1;               // runs at once
  bool retry_failed = false;  // also rerun runs whose file says failed
  std::string sweet_binary;   // the `sweet` executable to start
};

struct LocalSweepSummary {
  int started = 0, finished = 0, failed = 0, stopped = 0;
  int already_done = 0, left_failed = 0, running_elsewhere = 0;
};

// `say` gets one line per event (started, finished, failed with its log). Returns when every
// started child has ended. `stop` (set from a signal handler) stops starting runs and
// forwards SIGTERM to the running ones; blocking waits return early on signals. Holds
// <output_dir>/sweep.lock throughout: throws, naming the holder, when another runner has it.
LocalSweepSummary runSweepLocally(const Sweep& sweep, const LocalSweepOptions& options,
                                  const std::function<void(const std::string&)>& say,
                                  const std::atomic<bool>* stop = nullptr);

}  // namespace sweet
