// Runs a sweep on a Slurm cluster: one job array, one array task per run (the task index
// is the run's index in the sweep, so it is stable across resubmissions). Each task runs
// `sweet train CONFIG --continue`; the batch script asks for --requeue and a USR1 warning
// before the time limit, forwards it to the run (which checkpoints and stops) and requeues
// the task, and a preempted or requeued task gets SIGTERM from Slurm, checkpoints, and
// resumes when it runs again. No daemon of ours runs on the cluster: the run files on the
// shared file system are the results, and squeue/sacct only add queue states.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "training/sweeps/sweep_spec.h"

namespace sweet {

struct SlurmSubmission {
  std::string job_id;            // empty on a dry run
  std::vector<int64_t> indices;  // array task indices = run indices
  std::string script;            // the batch script's path
  std::vector<std::string> command;
};

// The batch script for `sweep` with `settings` (the sweep's "slurm" block with any
// command-line overrides); `sweet_binary` is the path the nodes run.
std::string slurmBatchScript(const Sweep& sweep, const SlurmSettings& settings, const std::string& sweet_binary);

// Writes the run configs and <output_dir>/slurm/sweep.sbatch, and submits an array of the
// runs at `indices` with sbatch (not on a dry run); records the job in
// <output_dir>/slurm/jobs.json. Throws with sbatch's own message when it refuses.
// `after_jobs`: arrays of this sweep still in the queue; with max_parallel set the new array
// waits for them (--dependency=afterany), since Slurm's %N limits one array only and a
// resubmission would otherwise run beside the first.
SlurmSubmission submitSlurmArray(const Sweep& sweep, const SlurmSettings& settings, const std::string& sweet_binary,
                                 const std::vector<int64_t>& indices, bool dry_run,
                                 const std::vector<std::string>& after_jobs = {});

// Whether an array task in this Slurm state will still run or is running (PENDING,
// RUNNING, REQUEUED, ...): not to be submitted again.
bool slurmStateActive(const std::string& state);

// The recorded jobs of the sweep (jobs.json) that squeue still lists with an active task.
std::vector<std::string> activeSlurmJobs(const Sweep& sweep);

// The job ids this sweep submitted, oldest first (from jobs.json).
std::vector<std::string> recordedSlurmJobs(const Sweep& sweep);

// Queue states of the sweep's array tasks by run index (PENDING, RUNNING, COMPLETED, ...),
// the newest job's answer winning: squeue for jobs still known to the controller, then
// sacct where accounting is configured. Empty when neither answers.
std::map<int64_t, std::string> slurmTaskStates(const Sweep& sweep);

// "0-3,5,7-8": the sbatch --array form of sorted indices.
std::string arraySpec(const std::vector<int64_t>& indices);

}  // namespace sweet
