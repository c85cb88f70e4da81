// `sweet sweep plan|run|status SWEEP.json`: a grid of runs from one sweep file, run here
// (one child `sweet train` per run, N at a time) or as a Slurm job array. Parses arguments
// and prints; the work lives in training/sweeps/.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/stop_signals.h"
#include "training/sweeps/local_backend.h"
#include "training/sweeps/slurm_backend.h"
#include "training/sweeps/sweep_spec.h"
#include "training/sweeps/sweep_state.h"

namespace sweet::cli {
namespace {

std::string thisExecutable() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw std::runtime_error("cannot find the sweet executable (/proc/self/exe); pass --sweet PATH");
  return std::string(path, static_cast<size_t>(n));
}

// The plan's table, a row at a time: `plan` hands it runs as the grid expands (it keeps
// none), `status` the runs of a loaded sweep with their queue states.
class PlanTable {
 public:
  explicit PlanTable(bool withQueue) : withQueue_(withQueue) {}

  void row(const SweepRun& run, const std::map<int64_t, std::string>& queue = {}) {
    const SweepRunStatus s = sweepRunStatus(run);
    const std::string state = sweepRunStateName(s.state);
    ++counts_[state];
    ++runs_;
    std::string steps = s.total_steps > 0 ? std::to_string(s.steps_done) + "/" + std::to_string(s.total_steps) : "-";
    char line[512];
    std::snprintf(line, sizeof line, "%4lld  %-40s %-21s %-11s", static_cast<long long>(run.index), run.id.c_str(),
                  state.c_str(), steps.c_str());
    std::cout << line;
    if (withQueue_) {
      auto it = queue.find(run.index);
      std::cout << " " << (it == queue.end() ? std::string("-") : it->second);
    }
    if (!s.detail.empty() && s.state != SweepRunState::Done) std::cout << "  " << s.detail;
    if (!s.config_differences.empty()) {
      std::string keys;
      for (const auto& d : s.config_differences) keys += (keys.empty() ? "" : "; ") + d;
      std::cout << "  trained with another configuration than the sweep's: " << keys;
      ++stale_;
    }
    std::cout << "\n";
  }

  void summary(const Sweep& sweep) const {
    std::cout << runs_ << " runs in " << sweep.output_dir << ":";
    for (const auto& [state, n] : counts_) std::cout << " " << n << " " << state;
    std::cout << "\n";
    if (stale_ > 0)
      std::cout << stale_ << " runs were trained with another configuration than the sweep file now gives: move their "
                << "files away (or restore the sweep file) to train them as written\n";
  }

 private:
  bool withQueue_;
  std::map<std::string, int64_t> counts_;
  int64_t runs_ = 0, stale_ = 0;
};

}  // namespace

void registerSweepCommand(CLI::App& root) {
  struct Options {
    std::string sweep, backend = "local", sweet;
    int jobs = 1;
    bool retryFailed = false, dryRun = false, allowLarge = false;
    std::string partition, account, qos, mem, time;
    int64_t gpus = -1, cpus = -1, maxParallel = -1;
    std::vector<std::string> sbatchArgs;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("sweep", "A grid of runs from one sweep file: plan it, run it here or on Slurm");
  cmd->require_subcommand(1);

  auto* plan = cmd->add_subcommand("plan", "List the sweep's runs and where each stands (done, unfinished, failed, pending)");
  plan->add_option("sweep", opt->sweep, "Sweep file (JSON; docs/cluster.md)")->required()->check(CLI::ExistingFile);
  plan->callback([opt] {
    Sweep sweep;
    PlanTable table(false);
    forEachSweepRun(opt->sweep, opt->allowLarge, sweep, [&table](const SweepRun& run) { table.row(run); });
    table.summary(sweep);
  });

  auto* status = cmd->add_subcommand("status", "As plan, with each array task's Slurm state (squeue, sacct)");
  status->add_option("sweep", opt->sweep, "Sweep file")->required()->check(CLI::ExistingFile);
  status->callback([opt] {
    const Sweep sweep = loadSweep(opt->sweep, opt->allowLarge);
    const auto queue = slurmTaskStates(sweep);
    PlanTable table(true);
    for (const SweepRun& run : sweep.runs) table.row(run, queue);
    table.summary(sweep);
  });

  for (CLI::App* sub : {plan, status})
    sub->add_flag("--allow-large", opt->allowLarge, "Accept a grid of more than 100,000 runs");
  auto* run = cmd->add_subcommand("run", "Run every run that is not done: pending ones start, unfinished ones resume");
  run->add_option("sweep", opt->sweep, "Sweep file")->required()->check(CLI::ExistingFile);
  run->add_option("--backend", opt->backend, "local (child processes here) or slurm (a job array)")
      ->check(CLI::IsMember({"local", "slurm"}));
  run->add_option("-j,--jobs", opt->jobs, "local: runs at once (default 1)")->check(CLI::PositiveNumber);
  run->add_flag("--retry-failed,--resubmit-failed", opt->retryFailed, "Also rerun runs whose file says failed");
  run->add_flag("--allow-large", opt->allowLarge, "Accept a grid of more than 100,000 runs");
  run->add_flag("--dry-run", opt->dryRun, "slurm: write the batch script and print the sbatch command only");
  run->add_option("--sweet", opt->sweet, "The sweet binary the runs use (default: this one)");
  run->add_option("--partition", opt->partition, "slurm: partition (overrides the sweep's slurm block)");
  run->add_option("--account", opt->account, "slurm: account");
  run->add_option("--qos", opt->qos, "slurm: quality of service");
  run->add_option("--mem", opt->mem, "slurm: memory per task, e.g. 32G");
  run->add_option("--time", opt->time, "slurm: time limit per task, e.g. 04:00:00");
  run->add_option("--gpus", opt->gpus, "slurm: GPUs per task");
  run->add_option("--cpus", opt->cpus, "slurm: CPUs per task");
  run->add_option("--max-parallel", opt->maxParallel, "slurm: array tasks at once (%N)");
  run->add_option("--sbatch-arg", opt->sbatchArgs, "slurm: one more #SBATCH option, e.g. --constraint=a100 (repeatable)");
  run->callback([opt] {
    const Sweep sweep = loadSweep(opt->sweep, opt->allowLarge);
    const std::string sweetBinary = !opt->sweet.empty() ? opt->sweet : !sweep.slurm.sweet.empty() && opt->backend == "slurm"
                                                                           ? sweep.slurm.sweet
                                                                           : thisExecutable();
    if (opt->backend == "local") {
      StopRequest& stop = stopOnSignals({SIGINT, SIGTERM, SIGHUP});  // the runner forwards them to its children
      LocalSweepOptions options;
      options.jobs = opt->jobs;
      options.retry_failed = opt->retryFailed;
      options.sweet_binary = sweetBinary;
      const auto s = runSweepLocally(sweep, options, [](const std::string& m) { std::cerr << "sweep: " << m << "\n"; },
                                     &stop.requested);
      std::cout << s.started << " started: " << s.finished << " done, " << s.failed << " failed, " << s.stopped
                << " stopped; " << s.already_done << " were done before";
      if (s.left_failed) std::cout << ", " << s.left_failed << " failed before (not retried)";
      if (s.running_elsewhere) std::cout << ", " << s.running_elsewhere << " running elsewhere";
      std::cout << "\n";
      if (stop.requested) throw ExitStatus{stop.exitStatus(), "stopped; run it again to resume"};
      if (s.failed > 0) throw ExitStatus{1, std::to_string(s.failed) + " runs failed; their logs are in " + sweep.output_dir + "/logs"};
      // The sweep is not complete while failed runs remain: a script (or a Slurm
      // dependency) must not read it as done.
      if (s.left_failed > 0)
        throw ExitStatus{1, std::to_string(s.left_failed) + " runs failed earlier and were left alone; --retry-failed reruns them"};
      return;
    }
    SlurmSettings settings = sweep.slurm;
    if (!opt->partition.empty()) settings.partition = opt->partition;
    if (!opt->account.empty()) settings.account = opt->account;
    if (!opt->qos.empty()) settings.qos = opt->qos;
    if (!opt->mem.empty()) settings.mem = opt->mem;
    if (!opt->time.empty()) settings.time = opt->time;
    if (opt->gpus >= 0) settings.gpus = opt->gpus;
    if (opt->cpus >= 0) settings.cpus_per_task = opt->cpus;
    if (opt->maxParallel >= 0) settings.max_parallel = opt->maxParallel;
    for (const auto& a : opt->sbatchArgs) settings.extra.push_back(a);
    const auto queue = opt->dryRun ? std::map<int64_t, std::string>{} : slurmTaskStates(sweep);
    std::vector<int64_t> indices;
    int done = 0, queued = 0, failed = 0;
    for (const auto& r : sweep.runs) {
      const auto q = queue.find(r.index);
      if (q != queue.end() && slurmStateActive(q->second)) {
        ++queued;
        continue;
      }
      const SweepRunState state = sweepRunStatus(r).state;
      if (needsRunning(state, opt->retryFailed)) indices.push_back(r.index);
      else if (state == SweepRunState::Done) ++done;
      else if (state == SweepRunState::Failed) ++failed;
    }
    std::cout << done << " done, " << queued << " in the queue, " << failed << " failed"
              << (failed ? " (--resubmit-failed reruns them)" : "") << "; " << indices.size() << " to submit\n";
    if (indices.empty()) return;
    // %N holds within one array: with a cap, the new array waits for the sweep's arrays
    // still queued or running, so the cap holds across resubmissions too.
    const std::vector<std::string> earlier =
        settings.max_parallel > 0 && queued > 0 ? activeSlurmJobs(sweep) : std::vector<std::string>{};
    if (!earlier.empty()) {
      std::string ids;
      for (const auto& id : earlier) ids += (ids.empty() ? "" : ", ") + id;
      std::cout << "max_parallel " << settings.max_parallel << ": the new array waits for " << ids
                << " (this sweep's, still in the queue) to end\n";
    }
    const SlurmSubmission s = submitSlurmArray(sweep, settings, sweetBinary, indices, opt->dryRun, earlier);
    std::string command;
    for (const auto& a : s.command) command += (command.empty() ? "" : " ") + a;
    if (opt->dryRun) {
      std::cout << "batch script: " << s.script << "\n" << command << "\n";
      return;
    }
    std::cout << "submitted job " << s.job_id << ": " << command << "\n";
  });
}

}  // namespace sweet::cli
