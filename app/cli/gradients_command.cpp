// `sweet gradients`: prints the gradient-conflict matrices (Fig. 3/9) recorded in a run
// file. Parses arguments only; analysis/gradient_report.h does the work.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

#include "analysis/gradient_report.h"
#include "cli/command.h"

namespace sweet::cli {
namespace {

struct GradientsArguments {
  std::string run;
  std::optional<int64_t> step;
  std::string window;
  std::string format = "text";
  bool noRaw = false;
  int probe = 1;
};

void runGradients(const GradientsArguments& args) {
  if (args.step && !args.window.empty()) throw std::runtime_error("give either --step or --window, not both");
  analysis::GradientReportOptions options;
  options.step = args.step;
  if (!args.window.empty()) options.window = analysis::parseStepWindow(args.window);
  options.rawMeasures = !args.noRaw;
  const analysis::ReportFormat format = analysis::reportFormatFromName(args.format);
  std::cout << analysis::formatGradients(analysis::loadGradients(args.run, args.probe), options, format);
}

}  // namespace

void registerGradientsCommand(CLI::App& root) {
  auto args = std::make_shared<GradientsArguments>();
  CLI::App* cmd = root.add_subcommand("gradients", "Cosine similarity between exits' gradients per layer (Fig. 3)");
  cmd->add_option("run", args->run, "Run file (*.h5) recorded with the gradient recorder on")->required()->check(CLI::ExistingFile);
  cmd->add_option("--step", args->step, "Training step of the record to print (default: the last record)");
  cmd->add_option("--window", args->window, "Average the records of steps FIRST:LAST (inclusive)");
  cmd->add_option("--format", args->format, "text, csv or json")->check(CLI::IsMember({"text", "csv", "json"}));
  cmd->add_option("--probe", args->probe,
                  "1: the main probe (default); 2: the second fixed probe batch (Fig. 9); 3: a pcgrad run's gradients "
                  "after surgery, on the main probe")
      ->check(CLI::IsMember({1, 2, 3}));
  cmd->add_flag("--no-raw", args->noRaw, "Skip the measures recomputed from the raw matrices (flattened cosine, negative-row share)");
  cmd->callback([args] { runGradients(*args); });
}

}  // namespace sweet::cli
