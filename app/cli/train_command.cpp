// `sweet train CONFIG.json [--set key=value ...]`: one fine-tuning run, headless.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>


#include "cli/command.h"
#include "cli/progress_printer.h"
#include "cli/stop_signals.h"
#include "training/runs/run_files_status.h"
#include "training/runs/train_config.h"
#include "training/runs/trainer.h"

namespace sweet::cli {

void registerTrainCommand(CLI::App& root) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    bool overwrite = false;
    bool resume = false;
    bool continueRun = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("train", "Fine-tune one EE / SWEET / MM run and write its run file");
  cmd->add_option("config", opt->config, "Run configuration (JSON; keys in docs/training.md)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", opt->overrides, "Override a key: key=value (JSON value), repeatable");
  auto* overwrite =
      cmd->add_flag("--overwrite", opt->overwrite, "Replace the run file and model of an earlier run with the same name");
  auto* resume = cmd->add_flag("--resume", opt->resume,
                               "Continue from the checkpoint beside the run file (without this flag a matching "
                               "checkpoint is resumed too, when one exists)");
  cmd->add_flag("--continue", opt->continueRun,
                "For schedulers: do nothing if the run finished, resume its checkpoint if it has one, else start it "
                "(over)")
      ->excludes(overwrite)
      ->excludes(resume);
  resume->excludes(overwrite);
  cmd->callback([opt] {
    const nlohmann::json j = readConfigFile(opt->config, opt->overrides);
    TrainConfig config = trainConfigFromJson(j, opt->config, opt->overrides);
    if (opt->overwrite) config.overwrite = true;
    ResumePolicy policy = opt->overwrite ? ResumePolicy::Never : opt->resume ? ResumePolicy::Required : ResumePolicy::IfPresent;
    if (opt->continueRun) {
      switch (continueAction(runFilesStatus(config), config.runFilePath())) {
        case ContinueAction::AlreadyFinished:
          std::cout << "run file: " << config.runFilePath() << " (already finished)\n";
          return;
        case ContinueAction::Resume: policy = ResumePolicy::Required; break;
        case ContinueAction::StartOver:
          std::cerr << "train: " << config.runFilePath() << " is unfinished and has no checkpoint: starting it over\n";
          config.overwrite = true;
          policy = ResumePolicy::Never;
          break;
        case ContinueAction::Start: break;
      }
    }
    // Ctrl-C, SIGTERM (kill, Slurm's scancel, preemption and time limit), SIGUSR1 (Slurm's
    // --signal warning before the time limit) and SIGHUP (a closed terminal or ssh session)
    // stop at the next step: a resume checkpoint is written, the run file is closed as
    // "stopped" and the model saved. SA_RESETHAND: a second signal kills at once (the file is
    // then repairable, and the last checkpoint still resumes it).
    StopRequest& stop = stopOnSignals({SIGINT, SIGTERM, SIGHUP, SIGUSR1}, SA_RESETHAND);
    TrainCallbacks cb;
    ProgressPrinter progress(config.resolvedRunName());
    cb.on_step = [&](const StepMetrics& m) { return progress(m); };
    cb.on_message = [](const std::string& m) { std::cerr << "train: " << m << "\n"; };
    cb.stop_requested = &stop.requested;
    cb.checkpoint_on_stop = true;
    TrainResult r = runTraining(config, cb, policy);
    std::cerr << "\n";
    if (r.outcome == RunState::Failed) throw std::runtime_error(r.message);
    std::cout << "run file: " << r.run_file << "\n";
    if (!r.model_dir.empty()) std::cout << "model: " << r.model_dir << "\n";
    if (r.outcome == RunState::Stopped) {
      // 128 + N, as a shell reports a process ended by signal N: scripts tell a stopped
      // run from a finished one (0) and from an error (1).
      throw ExitStatus{stop.exitStatus(), r.message};
    }
    for (size_t e = 0; e < r.exit_scores.size(); ++e)
      std::cout << "exit " << e << " (layer " << r.exit_layers[e] << "): " << r.metric << " " << r.exit_scores[e] << "\n";
    // A signal after the last step (while saving or evaluating) has no next step to stop
    // at: the run finishes, but the status still says a signal came, as a shell would.
    if (stop.requested)
      throw ExitStatus{stop.exitStatus(), "signal " + std::to_string(stop.signal.load()) +
                                              " came after the last step: the run finished (its file says finished, "
                                              "nothing is left to resume)"};
  });
}

}  // namespace sweet::cli
