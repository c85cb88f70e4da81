// Run-file repair: see run_repair.h.
#include "run_repair.h"

#include "hdf5_util.h"
#include "run_data.h"

#include <ctime>
#include <stdexcept>

namespace sweet::analysis {

namespace {

std::string utcTime(int64_t unixSeconds) {
  char text[32] = "unknown";
  const std::time_t t = static_cast<std::time_t>(unixSeconds);
  if (unixSeconds > 0) std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

}  // namespace

RepairOutcome repairRunFile(const std::string& path) {
  const RunData run = loadRun(path);
  RepairOutcome outcome;
  const bool stillRunning = run.status.state == RunState::Running;
  if (!run.status.flaggedOpen && !stillRunning) {
    outcome.summary = path + ": nothing to repair (" + runStateName(run.status.state) + ", closed normally)";
    return outcome;
  }
  if (stillRunning && !writerGone(run))
    throw std::runtime_error(path + ": still being written (pid " + std::to_string(run.writerPid()) + " on " +
                             run.writerHost() + ", last heartbeat " + utcTime(run.status.heartbeat) +
                             "); stop that run first");

  if (run.status.flaggedOpen) {
    h5::clearWriteFlags(path);
    outcome.clearedFlag = true;
  }
  if (stillRunning) {
    const std::string message = "interrupted: the writing process (pid " + std::to_string(run.writerPid()) + " on " +
                                run.writerHost() + ") ended without closing the file; last heartbeat " +
                                utcTime(run.status.heartbeat) + "; marked failed by sweet repair";
    try {
      H5::H5File file(path, H5F_ACC_RDWR);
      const int64_t status[3] = {static_cast<int64_t>(RunState::Failed), run.status.stepsDone, run.status.totalSteps};
      if (h5::exists(file, "/status_message")) {
        H5::DataSet ds = file.openDataSet("/status_message");
        H5::StrType type = ds.getStrType();
        std::string buffer = message.substr(0, type.getSize() - 1);
        buffer.resize(type.getSize(), '\0');
        ds.write(buffer.data(), type);
      }
      file.openDataSet("/status").write(status, H5::PredType::NATIVE_INT64);
      file.close();
    } catch (const H5::Exception& e) {
      throw std::runtime_error(h5::describe(path, "cannot rewrite /status", e));
    }
    outcome.markedFailed = true;
  }
  outcome.summary = path + ": " + (outcome.clearedFlag ? "cleared the open-for-write flag" : "");
  if (outcome.markedFailed)
    outcome.summary += std::string(outcome.clearedFlag ? "; " : "") + "marked failed at step " +
                       std::to_string(run.status.stepsDone) + " of " + std::to_string(run.status.totalSteps) +
                       " (every written step kept)";
  return outcome;
}

}  // namespace sweet::analysis
