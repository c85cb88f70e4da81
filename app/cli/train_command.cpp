// `sweet train CONFIG.json [--set key=value ...]`: one fine-tuning run, headless.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <iostream>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "training/runs/train_config.h"
#include "training/runs/trainer.h"

namespace sweet::cli {
namespace {

std::atomic<bool> gStop{false};
std::atomic<int> gSignal{0};
extern "C" void onStopSignal(int signal) {
  gSignal = signal;
  gStop = true;
}

// Ctrl-C, SIGTERM (kill, Slurm's scancel and time limit) and SIGHUP (a closed terminal or
// ssh session) stop at the next step: the run file is closed as "stopped" and the model
// saved. SA_RESETHAND: a second signal kills at once (the file is then repairable).
void stopOnSignals() {
  struct sigaction action = {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

}  // namespace

void registerTrainCommand(CLI::App& root) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    bool overwrite = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("train", "Fine-tune one EE / SWEET / MM run and write its run file");
  cmd->add_option("config", opt->config, "Run configuration (JSON; keys in docs/training.md)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", opt->overrides, "Override a key: key=value (JSON value), repeatable");
  cmd->add_flag("--overwrite", opt->overwrite, "Replace the run file and model of an earlier run with the same name");
  cmd->callback([opt] {
    const nlohmann::json j = readConfigFile(opt->config, opt->overrides);
    TrainConfig config = trainConfigFromJson(j, opt->config, opt->overrides);
    if (opt->overwrite) config.overwrite = true;
    stopOnSignals();
    TrainCallbacks cb;
    ProgressPrinter progress(config.resolvedRunName());
    cb.on_step = [&](const StepMetrics& m) { return progress(m); };
    cb.on_message = [](const std::string& m) { std::cerr << "train: " << m << "\n"; };
    cb.stop_requested = &gStop;
    TrainResult r = runTraining(config, cb);
    std::cerr << "\n";
    if (r.outcome == RunState::Failed) throw std::runtime_error(r.message);
    std::cout << "run file: " << r.run_file << "\n";
    if (!r.model_dir.empty()) std::cout << "model: " << r.model_dir << "\n";
    if (r.outcome == RunState::Stopped) {
      // 128 + N, as a shell reports a process ended by signal N: scripts tell a stopped
      // run from a finished one (0) and from an error (1).
      const int signal = gSignal.load();
      throw ExitStatus{128 + (signal ? signal : SIGINT), r.message};
    }
    for (size_t e = 0; e < r.exit_scores.size(); ++e)
      std::cout << "exit " << e << " (layer " << r.exit_layers[e] << "): " << r.metric << " " << r.exit_scores[e] << "\n";
  });
}

}  // namespace sweet::cli
