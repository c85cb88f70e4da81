// The report's writers, one file per format (report_text.cpp, report_csv.cpp,
// report_json.cpp, report_latex.cpp), and the pieces of text they share (report_format.cpp).
// Internal to analysis/.
#pragma once

#include "report.h"

#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis::report_writers {

std::string textReport(const Report& report);
std::string csvReport(const Report& report);
std::string jsonReport(const Report& report);
std::string latexReport(const Report& report);

// printf of one number.
std::string fmt(const char* format, double value);
// "61.2 ± 1.3" (x100; " $\pm$ " in LaTeX); the spread only where there is one.
std::string meanStd(const SeedSummary& s, bool latex = false);
// "61.2 [59.9, 62.5]" (x100), "n/a" ("--" in LaTeX) for an absent point.
std::string meanCi(const std::optional<SeedSummary>& s, bool latex = false);
// " cap=N" where some task was run at several train_cap values (then caps label the
// rows), else "".
std::string capSuffix(const Report& report, int64_t trainCap);
// One word for the confidences a row's numbers come from: none, held-out, cross-fit, eval,
// or several joined with '+'.
std::string schemesWord(const std::vector<std::string>& schemes);
// A task average's row name beside the groups: "average (2 tasks) ee 12L".
std::string averageLabel(const Report& report, const TaskAverage& average);

}  // namespace sweet::analysis::report_writers
