// A sweep run's state from its files: see sweep_state.h.
#include "training/sweeps/sweep_state.h"

namespace sweet {

bool needsRunning(SweepRunState state, bool retryFailed) {
  return state == SweepRunState::Pending || state == SweepRunState::Resumable || state == SweepRunState::Unfinished ||
         (retryFailed && state == SweepRunState::Failed);
}

}  // namespace sweet
