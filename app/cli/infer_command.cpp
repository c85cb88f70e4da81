// `sweet infer`: real early-exit inference with a fine-tuned model, on text (one sentence
// or pair, or a TSV column) or, with --measure, timed on the run's dev set against the
// same model without exiting. Parses arguments only; the work is in training/inference/.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "analysis/exit_rule_traits.h"
#include "analysis/speed_record.h"
#include "cli/command.h"
#include "training/inference/inference_session.h"
#include "training/inference/speed_measurement.h"
#include "training/inference/text_inference.h"
#include "training/runs/cuda_graph_support.h"

namespace sweet::cli {
namespace {

struct InferArguments {
  TextInferenceRequest text;
  double threshold = 0;
  std::string rule = analysis::exitRuleName(analysis::ExitRule::Confidence);
  CLI::Option* thresholdOption = nullptr;  // count() says whether --threshold was given
  std::string out;
  bool measure = false, noCalibrate = false, noWrite = false;
  std::vector<double> thresholds;
  std::vector<int64_t> batchSizes;
  int64_t repeats = 3, warmup = 1, maxInstances = 0;
};

void say(const std::string& line) { std::cerr << "infer: " << line << "\n"; }

void runText(InferArguments& args) {
  args.text.learned = analysis::exitRuleFromName(args.rule) == analysis::ExitRule::Learned;
  if (args.thresholdOption->count() == 0)
    throw std::runtime_error(args.text.learned ? "--threshold is required (a learning-to-exit score in (0, 1])"
                                               : "--threshold is required (a max-softmax confidence in (0, 1])");
  args.text.threshold = args.threshold;
  args.text.calibrate = !args.noCalibrate;
  if (args.batchSizes.size() > 1) throw std::runtime_error("--batch-size takes one value unless --measure is given");
  if (!args.batchSizes.empty()) args.text.batch_size = args.batchSizes.front();
  const TextInferenceResult result = inferText(args.text, say);
  say(result.temperature_note);
  std::cout << "row\tprediction\texit\texit_layer\tconfidence" << (result.learned ? "\tlte_score" : "") << "\n";
  for (const Prediction& p : result.predictions) {
    char confidence[64];
    if (result.learned)
      std::snprintf(confidence, sizeof confidence, "%.4f\t%.4f", p.confidence, p.lte_score);
    else
      std::snprintf(confidence, sizeof confidence, "%.4f", p.confidence);
    std::cout << p.row << "\t" << p.label << "\t" << p.exit + 1 << "\t" << p.exit_layer << "\t" << confidence << "\n";
  }
  if (!args.out.empty()) {
    writePredictions(args.out, result);
    say("wrote " + std::to_string(result.predictions.size()) + " predictions to " + args.out);
  }
}

void runMeasure(const InferArguments& args) {
  if (!args.text.text.empty() || !args.text.tsv.empty() || !args.out.empty())
    throw std::runtime_error("--measure runs the run's dev set: it takes no --text, --tsv or --out");
  // Before the model is loaded (measureSpeed checks again, for its other callers).
  if (args.text.cuda_graphs) checkInferenceCudaGraphs(args.text.device, args.text.rebatch);
  const InferenceSession session =
      openInferenceSession(args.text.model_dir, args.text.run_file, args.text.device, args.text.threads, say,
                           args.text.precision);
  SpeedRequest request;
  request.thresholds = args.thresholds;
  if (args.thresholdOption->count() > 0) request.thresholds.push_back(args.threshold);
  if (!args.batchSizes.empty()) request.batch_sizes = args.batchSizes;
  request.repeats = args.repeats;
  request.warmup = args.warmup;
  request.max_instances = args.maxInstances;
  request.calibrate = !args.noCalibrate;
  request.rebatch = args.text.rebatch;
  request.cuda_graphs = args.text.cuda_graphs;
  request.learned = analysis::exitRuleFromName(args.rule) == analysis::ExitRule::Learned;
  const auto measurements = measureSpeed(session, request, say);
  for (const analysis::SpeedMeasurement& m : measurements) {
    std::cout << formatSpeedMeasurement(m);
    if (!args.noWrite) {
      analysis::writeSpeedMeasurement(session.run_file, m);
      say("stored in " + session.run_file + " at /speed/" + m.name);
    }
  }
}

// --rebatch, for --tsv and --measure.
void addRebatchOption(CLI::App* cmd, InferArguments& args) {
  cmd->add_flag("--rebatch", args.text.rebatch,
                "With --tsv or --measure: gather the instances that continue past each exit, from several "
                "batches, into full batches for the next layers (the same predictions; on a GPU fewer, fuller "
                "kernel launches)")
      ->excludes(cmd->get_option("--text"));
}

// --cuda-graphs, for batch 1 on CUDA.
void addCudaGraphsOption(CLI::App* cmd, InferArguments& args) {
  cmd->add_flag("--cuda-graphs", args.text.cuda_graphs,
                "On CUDA: run one-row batches (--batch-size 1, a single --text) by replaying CUDA graphs of each "
                "exit's segment, captured once per input length (the same predictions; far fewer kernel launches)");
}

}  // namespace

void registerInferCommand(CLI::App& root) {
  auto args = std::make_shared<InferArguments>();
  CLI::App* cmd = root.add_subcommand(
      "infer", "Early-exit inference with a fine-tuned model (instances leave the batch at the first exit whose "
               "confidence reaches the threshold), or --measure its wall-clock speedup on the run's dev set");
  cmd->add_option("model_dir", args->text.model_dir, "Fine-tuned model folder saved by sweet train (<run>.model)")
      ->required();
  args->thresholdOption = cmd->add_option("--threshold", args->threshold,
                  "Max-softmax threshold in (0, 1]: 1/K sends everyone out at the first exit, 1 runs everyone to the last");
  cmd->add_option("--rule", args->rule,
                  "What instances exit on: confidence (max softmax, the paper's) or learned (the model's "
                  "learning-to-exit scores; trained with lte.enabled)")
      ->check(CLI::IsMember(std::vector<std::string>{analysis::exitRuleName(analysis::ExitRule::Confidence),
                                                     analysis::exitRuleName(analysis::ExitRule::Learned)}))
      ->capture_default_str();
  auto* text = cmd->add_option("--text", args->text.text, "Input sentence");
  cmd->add_option("--text-b", args->text.text_b, "Second sentence of a pair")->needs(text);
  auto* tsv = cmd->add_option("--tsv", args->text.tsv, "TSV file with a header row")->excludes(text);
  auto* column = cmd->add_option("--column", args->text.column, "Column of --tsv holding the text")->needs(tsv);
  cmd->add_option("--column-b", args->text.column_b, "Column of --tsv holding the second sentence")->needs(column);
  cmd->add_option("--out", args->out, "Also write the predictions to FILE.csv or FILE.jsonl");
  cmd->add_option("--run", args->text.run_file,
                  "The run file the model came from (default: <run>.h5 beside <run>.model)");
  cmd->add_flag("--no-calibrate", args->noCalibrate,
                "Exit on raw softmax confidences (default: the run's temperatures, as sweet report uses)");
  cmd->add_flag("--measure", args->measure,
                "Time the run's dev set at several thresholds against the model without exiting, print the "
                "measured and the layer-count speedup, and store them in the run file (/speed)");
  cmd->add_option("--thresholds", args->thresholds, "With --measure: thresholds to time (default: 1/K .. 1)")
      ->delimiter(',');
  cmd->add_option("--batch-size", args->batchSizes, "Batch size (with --measure a list; default 32,1; else 32)")
      ->delimiter(',');
  cmd->add_option("--repeats", args->repeats, "With --measure: timed passes per threshold (median kept)")
      ->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "With --measure: untimed passes first")->capture_default_str();
  cmd->add_option("--max-instances", args->maxInstances, "With --measure: only the first N dev instances (0 = all)")
      ->capture_default_str();
  cmd->add_flag("--no-write", args->noWrite, "With --measure: print only, leave the run file as it is");
  addRebatchOption(cmd, *args);
  addCudaGraphsOption(cmd, *args);
  cmd->add_option("--device", args->text.device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--precision", args->text.precision,
                  "fp32, tf32, bf16, fp16 (CUDA only) or auto (bf16 on a CUDA device that has it, else fp32); "
                  "default: the precision the run trained in");
  cmd->add_option("--threads", args->text.threads, "CPU threads (0 = one per core)")->capture_default_str();
  cmd->callback([args] {
    if (args->measure)
      runMeasure(*args);
    else
      runText(*args);
  });
}

}  // namespace sweet::cli
