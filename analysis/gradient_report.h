// Printing of the gradient-conflict matrices (Fig. 3/9 of the paper) for `sweet gradients`:
// one E x E matrix per recorded layer, for one record or averaged over a step window, with
// the current-vs-future summary and, for one record with raw matrices, the alternative
// measures. Undefined cells print as "undef" (text/CSV) or null (JSON).
#pragma once

#include "gradient_conflict.h"
#include "report.h"

#include <optional>
#include <string>
#include <utility>

namespace sweet::analysis {

struct GradientReportOptions {
  std::optional<int64_t> step;                          // one record (default: the last)
  std::optional<std::pair<int64_t, int64_t>> window;    // average over steps [A, B]
  bool rawMeasures = true;  // for one record, recompute flattened / negative-row measures
};

// "A:B" -> {A, B}; throws std::runtime_error on anything else or A > B.
std::pair<int64_t, int64_t> parseStepWindow(const std::string& text);

// Text, CSV or JSON (LaTeX is refused). Throws std::runtime_error for an unknown step, an
// empty window, or a file without records.
std::string formatGradients(const GradientRecords& records, const GradientReportOptions& options, ReportFormat format);

}  // namespace sweet::analysis
