// `sweet demo [--out DIR] [--pretrain] [--seeds 1,2,3]`: the demo experiment. Trains EE,
// SWEET and MM on the built-in demo task from one checkpoint (random-init, or with
// --pretrain that checkpoint pre-trained with MLM on the demo grammar's sentences first),
// then prints every exit's accuracy overall and per difficulty (easy / negation /
// counting), which shows what early exits buy; with several seeds, sweet report's
// comparison with confidence intervals as well.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "analysis/report.h"
#include "analysis/run_data.h"
#include "cli/command.h"
#include "cli/demo_accuracy.h"
#include "cli/progress_printer.h"
#include "training/checkpoints/demo_checkpoint.h"
#include "training/pretraining/demo_pretraining.h"
#include "training/text/demo_task.h"
#include "training/resource_locator.h"
#include "training/runs/train_config.h"
#include "training/runs/trainer.h"

namespace sweet::cli {
namespace {

void printDemoTable(const std::vector<std::string>& runFiles, std::ostream& out) {
  out << "\nPer-exit accuracy on the demo eval set (overall | easy | negation | counting)\n";
  out << "method  exit layer   overall     easy  negation  counting\n";
  for (const auto& path : runFiles) {
    const analysis::RunData run = analysis::loadRun(path);
    for (const DemoExitAccuracy& row : demoAccuracyByDifficulty(run)) {
      char line[160];
      std::snprintf(line, sizeof(line), "%-6s  %4lld %5lld   %7.3f  %7.3f  %8.3f  %8.3f\n", run.method.c_str(),
                    static_cast<long long>(row.exit + 1), static_cast<long long>(row.layer), row.accuracy[0],
                    row.accuracy[1], row.accuracy[2], row.accuracy[3]);
      out << line;
    }
  }
}

// The seeds pooled as sweet report pools them: every method's exits and fixed-cost points
// with 95% confidence intervals over the seeds.
void printSeedComparison(const std::vector<std::string>& runFiles, std::ostream& out) {
  std::vector<analysis::RunData> runs;
  for (const auto& path : runFiles) runs.push_back(analysis::loadRun(path));
  out << "\nAcross seeds (as sweet report prints it)\n";
  out << analysis::formatReport(analysis::buildReport(runs, analysis::ReportOptions{}), analysis::ReportFormat::Text);
}

// The checkpoint every method starts from: the scratch model, or with --pretrain that
// model pre-trained on the demo grammar's sentences (resources/demo/pretrain.json).
std::string demoStartingPoint(const std::string& out, const std::string& device, bool pretrain,
                              const std::vector<std::string>& pretrainOverrides) {
  const std::string scratch =
      ensureDemoCheckpoint(resourcePath("demo/config.json"), (std::filesystem::path(out) / "scratch-bert").string());
  if (!pretrain) return scratch;
  PretrainCallbacks cb;
  cb.on_message = [](const std::string& m) { std::cerr << "demo: " << m << "\n"; };
  cb.on_step = [](const PretrainStep& s) {
    if (s.step % std::max<int64_t>(1, s.total_steps / 10) == 0 || s.step == s.total_steps)
      std::fprintf(stderr, "pretrain: step %lld/%lld mlm loss %.4f accuracy %.3f\n", static_cast<long long>(s.step),
                   static_cast<long long>(s.total_steps), s.mlm_loss, s.mlm_accuracy);
    return true;
  };
  return ensurePretrainedDemoModel({resourcePath("demo/pretrain.json"), scratch, out, device, pretrainOverrides}, cb);
}

}  // namespace

void registerDemoCommand(CLI::App& root) {
  struct Options {
    std::string out = "demo-runs", device = "cpu";
    std::vector<std::string> methods = {"ee", "sweet", "mm"};
    std::vector<std::string> overrides;
    std::vector<int64_t> seeds;  // empty: the seed of demo.json (or --set seed=N)
    bool overwrite = false;
    bool pretrain = false;
    std::vector<std::string> pretrainOverrides;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = root.add_subcommand("demo", "Train EE, SWEET and MM on the built-in demo task and compare their exits");
  cmd->add_option("--out", opt->out, "Output folder for the checkpoint and run files")->capture_default_str();
  cmd->add_option("--methods", opt->methods, "Methods to train (e.g. ee,sweet)")->capture_default_str()->delimiter(',')
      ->check(CLI::IsMember({"ee", "sweet", "mm", "pcgrad"}));
  cmd->add_option("--device", opt->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--set", opt->overrides, "Override a key of resources/demo/demo.json: key=value");
  cmd->add_option("--seeds", opt->seeds, "Train every method once per seed (e.g. 1,2,3); sweet report pools them")
      ->delimiter(',');
  cmd->add_flag("--overwrite", opt->overwrite, "Replace the run files and models of an earlier demo in the same folder");
  cmd->add_flag("--pretrain", opt->pretrain,
                "First pre-train the demo model with MLM on the demo grammar's sentences (resources/demo/pretrain.json), "
                "as the paper starts from a pre-trained model");
  cmd->add_option("--pretrain-set", opt->pretrainOverrides,
                  "With --pretrain, override a key of resources/demo/pretrain.json: key=value (e.g. max_steps=100)");
  cmd->callback([opt] {
    const std::string checkpoint = demoStartingPoint(opt->out, opt->device, opt->pretrain, opt->pretrainOverrides);
    std::ifstream in(resourcePath("demo/demo.json"));
    const nlohmann::json base = nlohmann::json::parse(in);
    std::vector<std::string> runFiles;
    const std::vector<std::optional<int64_t>> seeds =
        opt->seeds.empty() ? std::vector<std::optional<int64_t>>{std::nullopt}
                           : std::vector<std::optional<int64_t>>(opt->seeds.begin(), opt->seeds.end());
    for (const auto& seed : seeds)
      for (const auto& method : opt->methods) {
        nlohmann::json j = base;
        j["method"] = method;
        j["model"] = checkpoint;
        j["output_dir"] = opt->out;
        j["device"] = opt->device;
        for (const auto& o : opt->overrides) applyOverride(j, o);
        if (seed) j["seed"] = *seed;
        TrainConfig config = trainConfigFromJson(j, "resources/demo/demo.json", opt->overrides);
        if (opt->overwrite) config.overwrite = true;
        ProgressPrinter progress(method + (seed ? " seed " + std::to_string(*seed) : ""));
        TrainCallbacks cb;
        cb.on_step = [&](const StepMetrics& m) { return progress(m); };
        TrainResult r = runTraining(config, cb);
        if (r.outcome != RunState::Finished) throw std::runtime_error(method + ": " + r.message);
        runFiles.push_back(r.run_file);
      }
    printDemoTable(runFiles, std::cout);
    if (seeds.size() > 1) printSeedComparison(runFiles, std::cout);
    std::cout << "\nrun files in " << opt->out << "/ (open them in sweet-workbench, or: sweet report " << opt->out << "/*.h5)\n";
  });
}

}  // namespace sweet::cli
