// The run files one report reads, from the paths a user gave: every readable file, a
// byte-identical copy of another left out with a note (pooled, it counted one seed twice:
// a zero-width interval), and the files that cannot be read kept with their errors, so one
// damaged file in a sweep's folder no longer hides the report of all the others.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "run_data.h"

namespace sweet::analysis {

struct ReportInputs {
  std::vector<RunData> runs;                                   // readable, in the order given
  std::vector<std::string> notes;                              // one line per copy left out
  std::vector<std::pair<std::string, std::string>> unreadable;  // path, why it cannot be read
};

// Reads each path; of byte-identical files the first is kept.
ReportInputs loadReportInputs(const std::vector<std::string>& paths);

}  // namespace sweet::analysis
