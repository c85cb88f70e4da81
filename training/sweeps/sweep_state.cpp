// A sweep run's state from its files: see sweep_state.h.
#include "training/sweeps/sweep_state.h"

#include <filesystem>

#include "analysis/run_data.h"

namespace sweet {

const char* sweepRunStateName(SweepRunState state) {
  switch (state) {
    case SweepRunState::Pending: return "pending";
    case SweepRunState::Running: return "running";
    case SweepRunState::Resumable: return "unfinished-resumable";
    case SweepRunState::Unfinished: return "unfinished";
    case SweepRunState::Failed: return "failed";
    case SweepRunState::Done: return "done";
  }
  return "unknown";
}

SweepRunStatus sweepRunStatus(const SweepRun& run) {
  namespace fs = std::filesystem;
  SweepRunStatus status;
  const std::string runFile = run.train.runFilePath();
  const bool checkpoint = fs::exists(run.train.checkpointPath());
  if (!fs::exists(runFile)) {
    status.state = SweepRunState::Pending;
    return status;
  }
  analysis::RunData data;
  try {
    data = analysis::loadRun(runFile);
  } catch (const std::exception& e) {
    // Killed while its layout was being written: nothing in it to keep.
    status.state = SweepRunState::Unfinished;
    status.detail = e.what();
    return status;
  }
  try {
    status.config_differences = configDifferences(data.configText, trainConfigToJson(run.train).dump(), "the run file");
  } catch (const nlohmann::json::exception&) {
    status.config_differences = {"config (not JSON in the run file)"};
  }
  status.steps_done = data.status.stepsDone;
  status.total_steps = data.status.totalSteps;
  status.detail = data.status.message;
  switch (data.status.state) {
    case RunState::Finished: status.state = SweepRunState::Done; break;
    case RunState::Failed:
      // `sweet repair` marks a killed run failed; its checkpoint still resumes it.
      status.state = checkpoint && data.status.message.find("sweet repair") != std::string::npos ? SweepRunState::Resumable
                                                                                                 : SweepRunState::Failed;
      break;
    case RunState::Stopped:
      status.state = checkpoint ? SweepRunState::Resumable : SweepRunState::Unfinished;
      break;
    case RunState::Running:
      if (!analysis::writerGone(data)) {
        status.state = SweepRunState::Running;
      } else {
        status.state = checkpoint ? SweepRunState::Resumable : SweepRunState::Unfinished;
        status.detail = analysis::unfinishedReason(data);
      }
      break;
  }
  return status;
}

bool needsRunning(SweepRunState state, bool retryFailed) {
  return state == SweepRunState::Pending || state == SweepRunState::Resumable || state == SweepRunState::Unfinished ||
         (retryFailed && state == SweepRunState::Failed);
}

}  // namespace sweet
