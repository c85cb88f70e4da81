// Built-in GLUE task table: see task_spec.h. Columns and label sets follow GLUE's original
// TSV files and the label order of Hugging Face's glue processors.
#include "training/text/task_spec.h"

#include <algorithm>
#include <cctype>

namespace sweet {
namespace {

// One row per task, in the paper's order. Columns by name; CoLA has no header, so by index.
const std::vector<TaskSpec>& glueTable() {
  static const std::vector<TaskSpec> table = [] {
    auto task = [](std::string name, std::vector<std::string> labels, std::string text, std::string textB,
                   std::string label) {
      TaskSpec t;
      t.name = std::move(name);
      t.label_names = std::move(labels);
      t.metric = "accuracy";
      t.text_column = std::move(text);
      t.text_b_column = std::move(textB);
      t.label_column = std::move(label);
      return t;
    };
    std::vector<TaskSpec> rows;
    rows.push_back(task("sst2", {"0", "1"}, "sentence", "", "label"));
    rows.push_back(task("mrpc", {"0", "1"}, "#1 String", "#2 String", "Quality"));
    rows.back().also_f1 = true;
    rows.push_back(task("cola", {"0", "1"}, "", "", ""));
    rows.back().has_header = false;
    rows.back().text_index = 3;
    rows.back().label_index = 1;
    rows.back().metric = "mcc";
    rows.push_back(task("rte", {"entailment", "not_entailment"}, "sentence1", "sentence2", "label"));
    rows.push_back(task("qnli", {"entailment", "not_entailment"}, "question", "sentence", "label"));
    rows.push_back(task("qqp", {"0", "1"}, "question1", "question2", "is_duplicate"));
    rows.back().also_f1 = true;
    rows.push_back(task("mnli", {"contradiction", "entailment", "neutral"}, "sentence1", "sentence2", "gold_label"));
    rows.back().eval_file = "dev_matched.tsv";
    // STS-B: similarity scores 0-5, scored by Pearson's r as GLUE does (num_labels 1 in HF).
    rows.push_back(task("stsb", {"score"}, "sentence1", "sentence2", "score"));
    rows.back().regression = true;
    rows.back().metric = "pearson";
    return rows;
  }();
  return table;
}

}  // namespace

std::optional<TaskSpec> glueTask(const std::string& rawName) {
  std::string name;
  for (char c : rawName)
    if (c != '-' && c != '_') name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const TaskSpec& t : glueTable())
    if (t.name == name) return t;
  return std::nullopt;
}

std::vector<std::string> glueTaskNames() {
  std::vector<std::string> names;
  for (const TaskSpec& t : glueTable()) names.push_back(t.name);
  return names;
}

}  // namespace sweet
