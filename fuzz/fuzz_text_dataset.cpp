// Fuzzes the task-data readers (GLUE TSV with and without a header, CSV, JSONL) with every
// task layout: any input must give examples or a std::runtime_error, never a crash.
#include <stdexcept>

#include "fuzz_input.h"
#include "training/text/task_spec.h"
#include "training/text/text_dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the file type and the task; the rest is the file.
  static const char* suffixes[] = {".tsv", ".csv", ".jsonl"};
  static const char* tasks[] = {"sst2", "mrpc", "cola", "rte", "qnli", "qqp", "mnli"};
  const std::string path = sweet::fuzz::writeInput(data + 1, size - 1, suffixes[data[0] % 3]);
  sweet::TaskSpec task;
  if (auto glue = sweet::glueTask(tasks[(data[0] / 3) % 7])) task = *glue;
  try {
    sweet::readTextDataset(path, task, (data[0] & 0x80) != 0);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
