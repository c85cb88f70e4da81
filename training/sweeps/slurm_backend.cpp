// Slurm sweep backend: see slurm_backend.h.
#include "training/sweeps/slurm_backend.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sweet {
namespace fs = std::filesystem;

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs a program (no shell: arguments are passed as they are) and collects its output.
CommandResult runCommand(const std::vector<std::string>& argv) {
  int pipeFds[2];
  if (::pipe(pipeFds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(pipeFds[1], STDOUT_FILENO);
    ::dup2(pipeFds[1], STDERR_FILENO);
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    ::execvp(args[0], args.data());
    const std::string message = argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, message.data(), message.size());
    ::_exit(127);
  }
  ::close(pipeFds[1]);
  CommandResult r;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.out.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipeFds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Single-quoted for bash: paths with spaces or quotes survive.
std::string shellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A value for an #SBATCH line. sbatch reads those lines with its own rules: whitespace ends
// the value, a quote opens a group, an unquoted '#' starts a comment; an output_dir with a
// "'" cut the --output line short (the job failed with no log). A value holding any of
// those goes in double quotes, inside which sbatch (22.05, tried) keeps spaces, "'" and '#'
// and reads \" and \\ as escapes. In a file name pattern (`pattern`) '%' is sbatch's own
// escape and doubles.
std::string sbatchValue(const std::string& text, const std::string& what, bool pattern = false) {
  if (text.find_first_of("\n\r") != std::string::npos)
    throw std::runtime_error(what + " holds a line break, which a batch script line cannot: '" + text + "'");
  std::string out;
  for (char c : text) out += pattern && c == '%' ? std::string("%%") : std::string(1, c);
  if (out.find_first_of("\\\"' \t#") == std::string::npos) return out;
  std::string quoted = "\"";
  for (char c : out) quoted += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  return quoted + "\"";
}

std::string jobsFile(const Sweep& sweep) { return (fs::path(sweep.output_dir) / "slurm" / "jobs.json").string(); }

nlohmann::json readJobs(const Sweep& sweep) {
  std::ifstream in(jobsFile(sweep));
  if (!in) return nlohmann::json::array();
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(jobsFile(sweep) + ": damaged (" + e.what() + "); delete it to forget earlier submissions");
  }
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

// "123_4|RUNNING" lines (squeue --format=%i|%T, sacct --parsable2 JobID,State) into index ->
// state for the job `jobId`.
void parseTaskStates(const std::string& text, const std::string& jobId, std::map<int64_t, std::string>& states) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    const std::string id = line.substr(0, bar);
    std::string state = line.substr(bar + 1);
    if (const auto space = state.find(' '); space != std::string::npos) state = state.substr(0, space);  // "CANCELLED by 0"
    if (id.rfind(jobId + "_", 0) != 0) continue;
    const std::string index = id.substr(jobId.size() + 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) continue;  // "[0-3]" or steps
    states[std::stoll(index)] = state;
  }
}

}  // namespace

std::string arraySpec(const std::vector<int64_t>& indices) {
  std::string out;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(indices[i]) + (j > i ? "-" + std::to_string(indices[j]) : "");
    i = j + 1;
  }
  return out;
}

std::string slurmBatchScript(const Sweep& sweep, const SlurmSettings& s, const std::string& sweetBinary) {
  std::ostringstream o;
  const std::string logs = (fs::path(sweep.output_dir) / "slurm" / "logs").string();
  o << "#!/bin/bash\n"
    << "# Written by `sweet sweep run " << sweep.path << " --backend slurm`: one array task per run.\n"
    << "#SBATCH --job-name=" << sbatchValue(sweep.name, sweep.path + ": name") << "\n"
    << "#SBATCH --output=" << sbatchValue(logs, sweep.path + ": output_dir", true) << "/%A_%a.log\n"
    << "#SBATCH --open-mode=append\n"
    << "#SBATCH --requeue\n";
  if (s.signal_seconds > 0) o << "#SBATCH --signal=B:USR1@" << s.signal_seconds << "\n";
  if (!s.partition.empty()) o << "#SBATCH --partition=" << sbatchValue(s.partition, "slurm.partition") << "\n";
  if (!s.account.empty()) o << "#SBATCH --account=" << sbatchValue(s.account, "slurm.account") << "\n";
  if (!s.qos.empty()) o << "#SBATCH --qos=" << sbatchValue(s.qos, "slurm.qos") << "\n";
  if (!s.time.empty()) o << "#SBATCH --time=" << sbatchValue(s.time, "slurm.time") << "\n";
  if (!s.mem.empty()) o << "#SBATCH --mem=" << sbatchValue(s.mem, "slurm.mem") << "\n";
  if (s.cpus_per_task > 0) o << "#SBATCH --cpus-per-task=" << s.cpus_per_task << "\n";
  if (s.gpus > 0) o << "#SBATCH --gres=gpu:" << s.gpus << "\n";
  for (const auto& line : s.extra) o << "#SBATCH " << line << "\n";
  o << "set -u\n";
  for (const auto& line : s.setup) o << line << "\n";
  o << "runs=(";
  for (const auto& run : sweep.runs) o << " " << run.id;
  o << " )\n"
    << "id=${runs[$SLURM_ARRAY_TASK_ID]}\n"
    << "config=" << shellQuoted((fs::path(sweep.output_dir) / "configs").string()) << "/$id.json\n"
    << "checkpoint=" << shellQuoted(sweep.output_dir) << "/$id.resume.pt\n"
    << "echo \"sweet sweep: task $SLURM_ARRAY_TASK_ID = run $id on $(hostname), attempt ${SLURM_RESTART_COUNT:-0}, $(date -u)\"\n"
    // The run is a child, not exec'ed: with --signal=B:USR1 only this shell hears the
    // warning, so it forwards it; Slurm's own SIGTERM (scancel, preemption, requeue) reaches
    // every process of the task already, and forwarding it too would be a second signal,
    // which kills the run before it checkpoints.
    << shellQuoted(sweetBinary) << " train \"$config\" --continue &\n"
    << "child=$!\n"
    << "warned=0\n"
    << "trap 'warned=1; kill -USR1 $child 2>/dev/null' USR1\n"
    << "trap ':' TERM\n"
    << "wait $child; status=$?\n"
    << "while kill -0 $child 2>/dev/null; do wait $child; status=$?; done\n"
    // A warning that came after the last step (during the evaluation or the model's save)
    // still ends the run with 138, but it finished and left no checkpoint: a requeue would
    // only start a task with nothing to do, so the task ends as the finished run it is.
    << "if [ $warned = 1 ] && [ $status = 138 ]; then\n"
    << "  if [ -e \"$checkpoint\" ]; then\n"
    << "    echo \"sweet sweep: $id checkpointed before the time limit; requeueing\"\n"
    << "    scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n"
    << "  else\n"
    << "    echo \"sweet sweep: $id finished before the time-limit warning stopped it; not requeued\"\n"
    << "    status=0\n"
    << "  fi\n"
    << "fi\n"
    << "exit $status\n";
  return o.str();
}

SlurmSubmission submitSlurmArray(const Sweep& sweep, const SlurmSettings& settings, const std::string& sweetBinary,
                                 const std::vector<int64_t>& indices, bool dryRun,
                                 const std::vector<std::string>& afterJobs) {
  if (indices.empty()) throw std::logic_error("submitSlurmArray: no runs");
  writeRunConfigs(sweep);
  const fs::path folder = fs::path(sweep.output_dir) / "slurm";
  std::error_code ec;
  fs::create_directories(folder / "logs", ec);
  if (ec) throw std::runtime_error((folder / "logs").string() + ": cannot create the task logs' folder: " + ec.message());
  SlurmSubmission submission;
  submission.indices = indices;
  submission.script = (folder / "sweep.sbatch").string();
  {
    errno = 0;
    std::ofstream out(submission.script);
    out << slurmBatchScript(sweep, settings, sweetBinary);
    out.close();  // checked after it: a full disk shows only when the buffer is written
    if (!out)
      throw std::runtime_error(submission.script + ": cannot write the batch script (" +
                               (errno != 0 ? std::strerror(errno) : "write failed") + ")");
  }
  std::string array = arraySpec(indices);
  if (settings.max_parallel > 0) array += "%" + std::to_string(settings.max_parallel);
  submission.command = {"sbatch", "--parsable", "--array=" + array};
  if (settings.max_parallel > 0 && !afterJobs.empty())
    submission.command.push_back("--dependency=afterany:" + join(afterJobs, ":"));
  submission.command.push_back(submission.script);
  if (dryRun) return submission;
  const CommandResult r = runCommand(submission.command);
  if (r.exit_code != 0)
    throw std::runtime_error("sbatch refused the sweep (exit " + std::to_string(r.exit_code) + "): " + r.out +
                             (r.exit_code == 127 ? " (is Slurm installed, and sbatch on PATH?)" : ""));
  std::string id = r.out.substr(0, r.out.find_first_of(";\n"));  // --parsable: "JOBID[;CLUSTER]"
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch answered '" + r.out + "', not a job id");
  submission.job_id = id;
  nlohmann::json jobs = readJobs(sweep);
  char when[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  jobs.push_back({{"job_id", id}, {"indices", indices}, {"submitted_at", when}});
  const std::string partial = jobsFile(sweep) + ".partial";
  {
    std::ofstream out(partial);
    out << jobs.dump(2) << "\n";
    if (!out) throw std::runtime_error(partial + ": cannot record the submitted job " + id);
  }
  fs::rename(partial, jobsFile(sweep));
  return submission;
}

std::vector<std::string> recordedSlurmJobs(const Sweep& sweep) {
  std::vector<std::string> ids;
  for (const auto& job : readJobs(sweep))
    if (job.contains("job_id") && job["job_id"].is_string()) ids.push_back(job["job_id"].get<std::string>());
  return ids;
}

bool slurmStateActive(const std::string& state) {
  static const std::set<std::string> active = {"PENDING", "RUNNING", "REQUEUED", "CONFIGURING", "COMPLETING",
                                               "SUSPENDED", "RESIZING", "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING",
                                               "STAGE_OUT", "STOPPED"};
  return active.count(state) > 0;
}

std::vector<std::string> activeSlurmJobs(const Sweep& sweep) {
  std::vector<std::string> active;
  for (const auto& job : recordedSlurmJobs(sweep)) {
    const CommandResult queue = runCommand({"squeue", "--noheader", "--array", "--jobs=" + job, "--format=%i|%T"});
    if (queue.exit_code != 0) continue;  // a job the controller has forgotten is long over
    std::map<int64_t, std::string> states;
    parseTaskStates(queue.out, job, states);
    // A pending array not yet split into tasks is listed as JOB_[0-3]: active too.
    const bool whole = queue.out.find(job + "_[") != std::string::npos;
    if (whole || std::any_of(states.begin(), states.end(), [](const auto& s) { return slurmStateActive(s.second); }))
      active.push_back(job);
  }
  return active;
}

std::map<int64_t, std::string> slurmTaskStates(const Sweep& sweep) {
  std::map<int64_t, std::string> states;
  const auto jobs = recordedSlurmJobs(sweep);
  if (jobs.empty()) return states;
  // Per job, oldest first, so a resubmission's answer replaces the earlier job's; per job
  // also because squeue refuses a whole list when one id has left the controller's memory.
  // sacct first (finished tasks, where accounting is on), then squeue (live tasks).
  for (const auto& job : jobs) {
    const CommandResult acct =
        runCommand({"sacct", "--noheader", "--parsable2", "--allocations", "--jobs=" + job, "--format=JobID,State"});
    if (acct.exit_code == 0) parseTaskStates(acct.out, job, states);
    const CommandResult queue = runCommand({"squeue", "--noheader", "--array", "--states=all", "--jobs=" + job, "--format=%i|%T"});
    if (queue.exit_code == 0) parseTaskStates(queue.out, job, states);
  }
  return states;
}

}  // namespace sweet
