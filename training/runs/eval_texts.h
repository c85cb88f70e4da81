// The evaluation instances as a reader of the run file sees them (/eval/indices and
// /eval/text, docs/run-file.md): each instance's row in the eval file and its text, so the
// exit explorer can show what an instance says without the data folder the run read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

struct EvalTexts {
  std::vector<int64_t> lines;       // [N] 1-based line of each instance in the eval file
  std::vector<std::string> text_a;  // [N] the first (or only) segment, UTF-8
  // [N] the second segment of pair tasks (RTE, MRPC, QNLI, ...); empty for one-segment
  // tasks, so no empty strings are stored for them.
  std::vector<std::string> text_b;
  bool paired() const { return !text_b.empty(); }
};

}  // namespace sweet
