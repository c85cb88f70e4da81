// Built-in GLUE task table: see task_spec.h. Columns and label sets follow GLUE's original
// TSV files and the label order of Hugging Face's glue processors.
#include "training/text/task_spec.h"

#include <algorithm>
#include <cctype>

namespace sweet {

std::optional<TaskSpec> glueTask(const std::string& rawName) {
  std::string name;
  for (char c : rawName)
    if (c != '-' && c != '_') name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  TaskSpec t;
  t.name = name;
  t.metric = "accuracy";
  if (name == "sst2") {
    t.label_names = {"0", "1"};
    t.text_column = "sentence";
    t.label_column = "label";
  } else if (name == "mrpc") {
    t.label_names = {"0", "1"};
    t.text_column = "#1 String";
    t.text_b_column = "#2 String";
    t.label_column = "Quality";
    t.also_f1 = true;
  } else if (name == "cola") {
    t.label_names = {"0", "1"};
    t.has_header = false;
    t.text_index = 3;
    t.label_index = 1;
    t.metric = "mcc";
  } else if (name == "rte") {
    t.label_names = {"entailment", "not_entailment"};
    t.text_column = "sentence1";
    t.text_b_column = "sentence2";
    t.label_column = "label";
  } else if (name == "qnli") {
    t.label_names = {"entailment", "not_entailment"};
    t.text_column = "question";
    t.text_b_column = "sentence";
    t.label_column = "label";
  } else if (name == "qqp") {
    t.label_names = {"0", "1"};
    t.text_column = "question1";
    t.text_b_column = "question2";
    t.label_column = "is_duplicate";
    t.also_f1 = true;
  } else if (name == "mnli") {
    t.label_names = {"contradiction", "entailment", "neutral"};
    t.text_column = "sentence1";
    t.text_b_column = "sentence2";
    t.label_column = "gold_label";
    t.eval_file = "dev_matched.tsv";
  } else {
    return std::nullopt;
  }
  return t;
}

std::vector<std::string> glueTaskNames() { return {"sst2", "mrpc", "cola", "rte", "qnli", "qqp", "mnli"}; }

}  // namespace sweet
