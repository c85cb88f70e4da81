// Where one run stands, read from its files alone (the run file and the resume checkpoint
// beside it), so `sweet train --continue`, `sweet sweep plan/run` and the Sweeps tab all
// decide from the same answer, on a laptop, a login node or a cluster node alike.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "training/runs/train_config.h"

namespace sweet {
namespace analysis {
struct RunData;
}

enum class RunFilesState {
  Pending,     // no run file yet
  Running,     // its writer is alive (on this host, or another host with a fresh heartbeat)
  Resumable,   // stopped, killed or preempted, with a resume checkpoint: continues where it was
  Unfinished,  // stopped or killed before its first checkpoint (or unreadable): starts over
  Failed,      // the run file says failed (NaN loss, bad input): rerun only when asked
  Done,        // finished and evaluated
};

const char* runFilesStateName(RunFilesState state);

struct RunFilesStatus {
  RunFilesState state = RunFilesState::Pending;
  bool checkpoint = false;  // a resume checkpoint sits beside the run file
  int64_t steps_done = 0, total_steps = 0;
  std::string detail;  // the run file's message or why it could not be read
  std::string writer;  // Running: "pid N on HOST", the process writing the file
  // Keys whose values in the run file differ from `config` (the config was edited after
  // the run was trained): its results are not those of the config as written.
  std::vector<std::string> config_differences;
};

RunFilesStatus runFilesStatus(const TrainConfig& config);
// The same answer from a run file already read (the GUI reads files on a worker thread and
// decides on its own thread from what it holds); `checkpoint`: one sits beside the file.
// Leaves config_differences empty: there is no second config to compare with.
RunFilesStatus runFilesStatus(const analysis::RunData& data, bool checkpoint);

// What `sweet train --continue` does with a run in this state: nothing for a finished
// run; resume a checkpoint (also of a failed run being retried: it continues from the
// last good step); start over an unfinished or failed run without one; start a new one.
// A run whose writer is alive is refused (throws naming the file): two writers would
// corrupt it.
enum class ContinueAction { AlreadyFinished, Resume, StartOver, Start };
ContinueAction continueAction(const RunFilesStatus& status, const std::string& runFile);

}  // namespace sweet
