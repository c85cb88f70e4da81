// Reading a run's examples: see run_examples.h.
#include "training/runs/run_examples.h"

#include <filesystem>
#include <stdexcept>

#include "training/text/demo_task.h"

namespace sweet {
namespace {

std::string joinPath(const std::string& dir, const std::string& file) {
  return dir.empty() ? file : (std::filesystem::path(dir) / file).string();
}

}  // namespace

RunExamples loadRunExamples(const TrainConfig& c, bool withTrain, const std::function<void(const std::string&)>& say) {
  RunExamples d;
  if (c.task == "demo") {
    d.task = demoTaskSpec();
    // Fixed data seeds: every run (any method, any run seed) sees the same demo data.
    if (withTrain)
      for (auto& x : generateDemoExamples(c.demo_train_size, 20231)) d.train.push_back(x.example);
    for (auto& x : generateDemoExamples(c.demo_eval_size, kDemoEvalSeed)) d.eval.push_back(x.example);
  } else {
    if (auto glue = glueTask(c.task)) {
      d.task = *glue;
    } else if (c.task == "custom") {
      d.task.name = "custom";
      d.task.metric = "accuracy";
      d.task.text_column = c.text_column;
      d.task.text_b_column = c.text_b_column;
      d.task.label_column = c.label_column;
      d.task.label_names = c.labels;
    } else {
      throw std::runtime_error("unknown task '" + c.task + "' (sst2, mrpc, cola, rte, qnli, qqp, mnli, stsb, demo, custom)");
    }
    if (withTrain) {
      const std::string trainPath = c.train_file.empty() ? joinPath(c.data_dir, d.task.train_file) : c.train_file;
      auto trainSet = readTextDataset(trainPath, d.task, c.skip_invalid_rows);
      if (trainSet.skipped_rows) say(trainPath + ": skipped " + std::to_string(trainSet.skipped_rows) + " malformed rows");
      d.train = std::move(trainSet.examples);
    }
    const std::string evalPath = c.eval_file.empty() ? joinPath(c.data_dir, d.task.eval_file) : c.eval_file;
    auto evalSet = readTextDataset(evalPath, d.task, c.skip_invalid_rows);
    if (evalSet.skipped_rows) say(evalPath + ": skipped " + std::to_string(evalSet.skipped_rows) + " malformed rows");
    d.eval = std::move(evalSet.examples);
  }
  if (c.eval_max_examples > 0 && static_cast<int64_t>(d.eval.size()) > c.eval_max_examples)
    d.eval.resize(static_cast<size_t>(c.eval_max_examples));
  return d;
}

}  // namespace sweet
