// Where a run stands, in one vocabulary from the trainer's result and the run file's
// /status to the GUI's queue rows and the sweep planner. The integer values are the run
// file's (see docs/run-file.md); Queued exists only before a run has a file and is never
// written to one.
#pragma once

#include <cstdint>

namespace sweet {

enum class RunState : int { Running = 0, Finished = 1, Stopped = 2, Failed = 3, Queued = 4 };

// "running" | "finished" | "stopped" | "failed" | "queued"
const char* runStateName(RunState state);

}  // namespace sweet
