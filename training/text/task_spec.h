// What defines a task for the trainer: where its text and label columns are, its label
// set (or, for a regression task such as STS-B, one float target), and the metric the
// paper reports for it. The GLUE tasks are built
// in; "custom" tasks name their columns in the run configuration.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sweet {

struct TaskSpec {
  std::string name;                    // sst2, mrpc, cola, rte, qnli, qqp, mnli, stsb, demo, custom
  std::vector<std::string> label_names;  // label id = index; regression: one name, the target's
  std::string metric;                  // accuracy, mcc or pearson; f1 is reported too where also_f1
  // Regression (STS-B): the label column holds a number, each exit predicts one value and
  // trains on the squared error; Spearman is reported beside Pearson.
  bool regression = false;
  bool also_f1 = false;
  bool has_header = true;
  // Columns by name (header files) or by index (CoLA has no header).
  std::string text_column, text_b_column, label_column;
  int text_index = -1, label_index = -1;
  std::string train_file = "train.tsv", eval_file = "dev.tsv";
};

// The built-in GLUE tasks (case-insensitive: "SST-2", "sst2" and "sst-2" all work).
// Returns nullopt for names that are not GLUE tasks.
std::optional<TaskSpec> glueTask(const std::string& name);
std::vector<std::string> glueTaskNames();

}  // namespace sweet
