// Run states: see run_state.h.
#include "run_state.h"

namespace sweet {

const char* runStateName(RunState state) {
  switch (state) {
    case RunState::Running: return "running";
    case RunState::Finished: return "finished";
    case RunState::Stopped: return "stopped";
    case RunState::Failed: return "failed";
    case RunState::Queued: return "queued";
  }
  return "unknown";
}

}  // namespace sweet
