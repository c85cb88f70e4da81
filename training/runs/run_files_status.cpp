// A run's state from its files: see run_files_status.h.
#include "training/runs/run_files_status.h"

#include <filesystem>
#include <stdexcept>

#include "analysis/run_data.h"

namespace sweet {
namespace {

RunFilesState stateOf(const analysis::RunData& data, bool checkpoint, std::string& detail) {
  switch (data.status.state) {
    case RunState::Queued: return RunFilesState::Pending;  // a GUI queue's state; no writer has started
    case RunState::Finished: return RunFilesState::Done;
    case RunState::Failed:
      // `sweet repair` marks a killed run failed; its checkpoint still resumes it.
      return checkpoint && data.status.message.find("sweet repair") != std::string::npos ? RunFilesState::Resumable
                                                                                        : RunFilesState::Failed;
    case RunState::Stopped: return checkpoint ? RunFilesState::Resumable : RunFilesState::Unfinished;
    case RunState::Running:
      if (!analysis::writerGone(data)) return RunFilesState::Running;
      detail = analysis::unfinishedReason(data);
      return checkpoint ? RunFilesState::Resumable : RunFilesState::Unfinished;
  }
  return RunFilesState::Unfinished;
}

}  // namespace

const char* runFilesStateName(RunFilesState state) {
  switch (state) {
    case RunFilesState::Pending: return "pending";
    case RunFilesState::Running: return "running";
    case RunFilesState::Resumable: return "unfinished-resumable";
    case RunFilesState::Unfinished: return "unfinished";
    case RunFilesState::Failed: return "failed";
    case RunFilesState::Done: return "done";
  }
  return "unknown";
}

RunFilesStatus runFilesStatus(const TrainConfig& config) {
  namespace fs = std::filesystem;
  RunFilesStatus status;
  const std::string runFile = config.runFilePath();
  status.checkpoint = fs::exists(config.checkpointPath());
  if (!fs::exists(runFile)) return status;  // pending
  analysis::RunData data;
  try {
    data = analysis::loadRun(runFile);
  } catch (const std::exception& e) {
    // Killed while its layout was being written: nothing in it to keep, nor to resume into.
    status.state = RunFilesState::Unfinished;
    status.detail = e.what();
    return status;
  }
  try {
    status.config_differences = configDifferences(data.configText, trainConfigToJson(config).dump(), "the run file");
  } catch (const nlohmann::json::exception&) {
    status.config_differences = {"config (not JSON in the run file)"};
  }
  const RunFilesStatus fromFile = runFilesStatus(data, status.checkpoint);
  status.steps_done = fromFile.steps_done;
  status.total_steps = fromFile.total_steps;
  status.detail = fromFile.detail;
  status.state = fromFile.state;
  status.writer = fromFile.writer;
  return status;
}

RunFilesStatus runFilesStatus(const analysis::RunData& data, bool checkpoint) {
  RunFilesStatus status;
  status.checkpoint = checkpoint;
  status.steps_done = data.status.stepsDone;
  status.total_steps = data.status.totalSteps;
  status.detail = data.status.message;
  status.state = stateOf(data, checkpoint, status.detail);
  if (status.state == RunFilesState::Running)
    status.writer = "pid " + std::to_string(data.writerPid()) + " on " +
                    (data.writerHost().empty() ? std::string("an unknown host") : data.writerHost());
  return status;
}

ContinueAction continueAction(const RunFilesStatus& status, const std::string& runFile) {
  switch (status.state) {
    case RunFilesState::Pending: return ContinueAction::Start;
    case RunFilesState::Done: return ContinueAction::AlreadyFinished;
    case RunFilesState::Resumable: return ContinueAction::Resume;
    case RunFilesState::Running:
      throw std::runtime_error(runFile + " is being written by a live process (" + status.writer +
                               "); not starting a second writer on it");
    case RunFilesState::Failed: return status.checkpoint ? ContinueAction::Resume : ContinueAction::StartOver;
    case RunFilesState::Unfinished: return ContinueAction::StartOver;
  }
  return ContinueAction::StartOver;
}

}  // namespace sweet
