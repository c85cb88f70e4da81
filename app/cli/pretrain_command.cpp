// `sweet pretrain CONFIG.json [--set key=value ...] [--overwrite | --continue]`:
// masked-language-model pre-training of a BERT or DeBERTa checkpoint on a text corpus;
// writes a run file and a Hugging Face folder that `sweet train` fine-tunes from (keys in
// docs/training.md, "Pre-training").
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/stop_signals.h"
#include "training/pretraining/mlm_pretrainer.h"
#include "training/runs/train_config.h"

namespace sweet::cli {

void registerPretrainCommand(CLI::App& root) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    bool overwrite = false;
    bool continueRun = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("pretrain", "Masked-language-model pre-training of a BERT or DeBERTa checkpoint on a text corpus");
  cmd->add_option("config", opt->config, "Pre-training configuration (JSON; keys in docs/training.md)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", opt->overrides, "Override a key: key=value (JSON value), repeatable");
  auto* overwrite =
      cmd->add_flag("--overwrite", opt->overwrite, "Replace the run file and model of an earlier run with the same name");
  cmd->add_flag("--continue", opt->continueRun,
                "Do nothing if the run finished, resume its checkpoint if it has one, else start it (over)")
      ->excludes(overwrite);
  cmd->callback([opt] {
    PretrainConfig config = pretrainConfigFromJson(readConfigFile(opt->config, opt->overrides), opt->config, opt->overrides);
    if (opt->overwrite) config.overwrite = true;
    ResumePolicy policy = ResumePolicy::Never;
    if (opt->continueRun) {
      switch (pretrainContinueAction(config)) {
        case PretrainContinue::AlreadyFinished:
          std::cout << "run file: " << config.runFilePath() << " (already finished)\n";
          return;
        case PretrainContinue::Resume: policy = ResumePolicy::Required; break;
        case PretrainContinue::StartOver:
          std::cerr << "pretrain: " << config.runFilePath() << " is unfinished and has no checkpoint: starting it over\n";
          config.overwrite = true;
          break;
        case PretrainContinue::Start: break;
      }
    }
    // A signal stops after the current step: a resume checkpoint is written, the model so
    // far saved and the run file says "stopped" (--continue resumes it). A second signal
    // kills at once (the last checkpoint still resumes it).
    StopRequest& stop = stopOnSignals({SIGINT, SIGTERM, SIGHUP, SIGUSR1}, SA_RESETHAND);
    PretrainCallbacks cb;
    cb.on_message = [](const std::string& m) { std::cerr << "pretrain: " << m << "\n"; };
    cb.on_step = [](const PretrainStep& s) {
      const int64_t tenth = std::max<int64_t>(1, s.total_steps / 10);
      if (s.step % tenth == 0 || s.step == s.total_steps)
        std::fprintf(stderr, "pretrain: step %lld/%lld mlm loss %.4f accuracy %.3f lr %.2e\n",
                     static_cast<long long>(s.step), static_cast<long long>(s.total_steps), s.mlm_loss, s.mlm_accuracy,
                     s.learning_rate);
      return true;
    };
    cb.stop_requested = &stop.requested;
    const PretrainResult r = runPretraining(config, cb, policy);
    std::cout << "run file: " << r.run_file << "\n";
    std::cout << "model: " << r.model_dir << "\n";
    std::printf("held-out MLM loss %.4f -> %.4f, accuracy %.3f -> %.3f (%lld steps)\n", r.eval_loss_before, r.eval_loss,
                r.eval_accuracy_before, r.eval_accuracy, static_cast<long long>(r.steps));
    if (r.outcome == RunState::Stopped) throw ExitStatus{stop.exitStatus(), r.message};
  });
}

}  // namespace sweet::cli
