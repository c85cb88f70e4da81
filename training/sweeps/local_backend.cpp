// Local sweep backend: see local_backend.h.
#include "training/sweeps/local_backend.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "training/runs/run_lock.h"
#include "training/sweeps/sweep_state.h"

namespace sweet {

namespace {

// fork + exec with stdout and stderr appended to `log`. The child gets its own process
// group, so a Ctrl-C in the terminal reaches the runner alone and each run is signalled
// exactly once (a second signal would kill it before it checkpoints).
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(log + ": cannot open log file: " + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    throw std::runtime_error(std::string("cannot start a run: fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(args[0], args.data());
    const std::string message = "cannot execute " + argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, message.data(), message.size());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

}  // namespace

LocalSweepSummary runSweepLocally(const Sweep& sweep, const LocalSweepOptions& options,
                                  const std::function<void(const std::string&)>& say, const std::atomic<bool>* stop) {
  // Two runners of one sweep each started every run once (the runs' own locks now turn
  // the second away, but it would count them all as failed): one runner per sweep folder.
  std::error_code ec;
  std::filesystem::create_directories(sweep.output_dir, ec);
  if (ec) throw std::runtime_error(sweep.output_dir + ": cannot create the sweep's folder: " + ec.message());
  const RunLock lock((std::filesystem::path(sweep.output_dir) / "sweep.lock").string(), "sweep " + sweep.output_dir, say);
  writeRunConfigs(sweep);
  LocalSweepSummary summary;
  std::vector<const SweepRun*> queue;
  for (const auto& run : sweep.runs) {
    const SweepRunStatus status = sweepRunStatus(run);
    if (needsRunning(status.state, options.retry_failed)) {
      queue.push_back(&run);
    } else if (status.state == SweepRunState::Done) {
      ++summary.already_done;
    } else if (status.state == SweepRunState::Failed) {
      ++summary.left_failed;
      say(run.id + ": failed before (" + status.detail + "); --retry-failed reruns it");
    } else {
      ++summary.running_elsewhere;
      say(run.id + ": being written by a live process; left alone");
    }
  }
  std::map<pid_t, const SweepRun*> running;
  size_t next = 0;
  bool forwarded = false;
  const int jobs = std::max(1, options.jobs);
  while (next < queue.size() || !running.empty()) {
    const bool stopping = stop && stop->load();
    if (stopping && !forwarded) {
      for (const auto& [pid, run] : running) ::kill(pid, SIGTERM);
      forwarded = true;
      say("stopping: each running run checkpoints and stops; sweet sweep run resumes them");
    }
    while (!stopping && next < queue.size() && static_cast<int>(running.size()) < jobs) {
      const SweepRun* run = queue[next++];
      const pid_t pid = spawn({options.sweet_binary, "train", sweep.configPath(*run), "--continue"}, sweep.logPath(*run));
      running[pid] = run;
      ++summary.started;
      say(run->id + ": started (log " + sweep.logPath(*run) + ")");
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;  // a signal: the loop forwards it
      throw std::runtime_error(std::string("waiting for runs failed: ") + std::strerror(errno));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const SweepRun* run = it->second;
    running.erase(it);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 0) {
      ++summary.finished;
      say(run->id + ": done");
    } else if (code > 128) {
      ++summary.stopped;
      say(run->id + ": stopped (exit " + std::to_string(code) + "); see " + sweep.logPath(*run));
    } else {
      ++summary.failed;
      say(run->id + ": failed (exit " + std::to_string(code) + "); see " + sweep.logPath(*run));
    }
  }
  return summary;
}

}  // namespace sweet
