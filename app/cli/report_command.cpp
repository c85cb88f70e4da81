// `sweet report`: the paper's tables from run files. Parses arguments only; the numbers and
// their formatting come from analysis/report.h so the GUI and tests share them.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>
#include <memory>

#include <sys/stat.h>

#include "analysis/pretrain_file_check.h"
#include "analysis/report.h"
#include "analysis/report_inputs.h"
#include "cli/command.h"

namespace sweet::cli {
namespace {

struct ReportArguments {
  std::vector<std::string> runs;
  std::vector<std::string> by;
  std::string format = "text";
  bool calibrate = false, noCalibrate = false, calibrateOnEval = false, exactCurve = false;
};

// A folder stands for every run file under it (a sweep's output folder), in name order so
// tables come out the same on every file system.
std::vector<std::string> expandFolders(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    if (!fs::is_directory(path)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(path))
      if (entry.is_regular_file() && entry.path().extension() == ".h5") found.push_back(entry.path().string());
    if (found.empty()) throw std::runtime_error(path + ": no run files (*.h5) in this folder");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

void runReport(ReportArguments args) {
  args.runs = expandFolders(args.runs);
  analysis::ReportOptions options;
  options.by = args.by;
  if (args.noCalibrate && (args.calibrate || args.calibrateOnEval))
    throw std::runtime_error("--no-calibrate contradicts --calibrate / --calibrate-on-eval");
  options.calibrate = !args.noCalibrate;
  options.calibrationSplit = args.calibrateOnEval ? analysis::CalibrationSplit::Eval : analysis::CalibrationSplit::Calibration;
  options.exactCurve = args.exactCurve;
  const analysis::ReportFormat format = analysis::reportFormatFromName(args.format);
  // The same file twice (or under a second name) would count as two seeds.
  std::map<std::pair<dev_t, ino_t>, std::string> seen;
  for (const std::string& path : args.runs) {
    struct stat info = {};
    if (stat(path.c_str(), &info) != 0) continue;  // loadRun names the problem below
    auto [it, fresh] = seen.emplace(std::make_pair(info.st_dev, info.st_ino), path);
    if (!fresh) throw std::runtime_error(path + ": the same run file as " + it->second + " (given twice)");
  }
  // A folder of runs may hold the pre-training run its fine-tunes started from: skipped
  // with a note, neither a run of the report nor an unreadable file.
  std::vector<std::string> fineTunes;
  for (const std::string& path : args.runs) {
    if (analysis::isPretrainRunFile(path)) std::cerr << "sweet report: skipping " << analysis::pretrainRunFileNote(path) << "\n";
    else fineTunes.push_back(path);
  }
  if (fineTunes.empty()) throw std::runtime_error("no fine-tuning run files among the files given");
  const analysis::ReportInputs inputs = analysis::loadReportInputs(fineTunes);
  for (const std::string& note : inputs.notes) std::cerr << "report: " << note << "\n";
  const std::vector<analysis::RunData>& runs = inputs.runs;
  // Nothing to tabulate is not an error: say what each run holds and why it stopped.
  if (runs.empty()) {
    // Only unreadable files: the list below says why.
  } else if (std::none_of(runs.begin(), runs.end(), [](const analysis::RunData& r) { return r.evalDone; })) {
    std::cout << "No run reached its evaluation, so there is no table yet.\n";
    for (const analysis::RunData& run : runs) std::cout << "  " << analysis::unfinishedNote(run) << "\n";
  } else {
    std::cout << analysis::formatReport(analysis::buildReport(runs, options), format);
  }
  if (inputs.unreadable.empty()) return;
  // After the tables, on stderr (a CSV or JSON report on stdout stays well-formed), and
  // status 1: a script must not take a report that left files out for a complete one.
  std::cout.flush();
  std::cerr << "report: " << inputs.unreadable.size() << " of " << fineTunes.size()
            << " run files could not be read and are not in the report:\n";
  for (const auto& [path, error] : inputs.unreadable)
    std::cerr << "  " << (error.rfind(path, 0) == 0 ? error : path + ": " + error) << "\n";
  throw ExitStatus{1, ""};
}

}  // namespace

void registerReportCommand(CLI::App& root) {
  auto args = std::make_shared<ReportArguments>();
  CLI::App* cmd = root.add_subcommand(
      "report", "Per-exit table, speed-accuracy points at fixed cost fractions with 95% CIs over seeds, and chosen LRs");
  cmd->add_option("runs", args->runs, "Run files (*.h5) or folders of them (a sweep's output folder); seeds of one configuration are pooled")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("--by", args->by,
                  "Pool seeds by these attributes: method,task,lr,model,cap (default: equal config, checkpoint by identity)")
      ->delimiter(',');
  cmd->add_option("--format", args->format, "text, csv, json or latex (booktabs)")
      ->check(CLI::IsMember({"text", "csv", "json", "latex"}));
  CLI::Option* calibrate = cmd->add_flag(
      "--calibrate", args->calibrate,
      "Temperature-scale each exit before exiting (the default, as in the paper): fitted on the run's held-out "
      "training rows, or two-fold cross-fitted on the eval set where it has none");
  cmd->add_flag("--no-calibrate", args->noCalibrate, "Exit on raw softmax confidences");
  cmd->add_flag("--calibrate-on-eval", args->calibrateOnEval,
                "Fit temperatures on the eval set instead (the reference code's behaviour)")
      ->excludes(calibrate);
  cmd->add_flag("--exact-curve", args->exactCurve,
                "Interpolate fixed-cost points on the exact curve instead of the paper's 11-threshold sweep");
  cmd->callback([args] { runReport(*args); });
}

}  // namespace sweet::cli
