// Stopping a long command (train, sweep run) cleanly on a signal: the handler only records
// the signal and raises a flag the command polls, so the command finishes its step, writes
// what it must and exits with 128 + the signal's number, as a shell reports it.
#pragma once

#include <atomic>
#include <initializer_list>

namespace sweet::cli {

struct StopRequest {
  std::atomic<bool> requested{false};
  std::atomic<int> signal{0};  // the first signal caught; 0 = none
  int exitStatus() const;      // 128 + signal (SIGINT when none was caught)
};

// Installs the handler for `signals` (no SA_RESTART: blocking waits return on the signal)
// with `flags` (e.g. SA_RESETHAND: a second signal kills at once) and returns the one
// process-wide request the handler sets.
StopRequest& stopOnSignals(std::initializer_list<int> signals, int flags = 0);

}  // namespace sweet::cli
