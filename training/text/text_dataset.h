// Labelled text examples read from GLUE TSVs or users' own files (TSV, CSV, JSONL), with
// precise errors for malformed rows (file and line), or skipping and counting them when
// the user asks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "training/text/task_spec.h"

namespace sweet {

struct TextExample {
  std::string text_a;
  std::optional<std::string> text_b;
  int64_t label = -1;  // classification: index into the task's label_names
  float target = 0;    // regression tasks: the label column's number (label stays -1)
  int64_t line = 0;  // 1-based line in the source file
};

struct TextDataset {
  std::string path;
  std::vector<TextExample> examples;
  int64_t skipped_rows = 0;  // malformed rows skipped (only with skip_invalid)
};

// Reads one split of `task`. The file format follows the extension: .tsv (GLUE layout,
// no quoting), .csv (RFC 4180 quoting), .jsonl (one object per line, keys = column names).
// Labels must be one of task.label_names (regression tasks: a finite number); a row with too few fields, an unknown label or
// empty text is an error naming file and line, unless skip_invalid, which counts it.
TextDataset readTextDataset(const std::string& path, const TaskSpec& task, bool skip_invalid = false);

}  // namespace sweet
