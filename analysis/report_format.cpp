// Prints a Report as text, CSV, JSON or LaTeX (booktabs): the choice of writer and the
// pieces of text every writer shares. Scores are shown x100 in text and LaTeX as GLUE
// papers do; CSV and JSON keep the raw fractions for further processing.
#include "report.h"

#include "report_writers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sweet::analysis {

namespace report_writers {

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string meanStd(const SeedSummary& s, bool latex) {
  std::string out = fmt("%.1f", 100 * s.mean);
  if (s.std) out += (latex ? " $\\pm$ " : " ± ") + fmt("%.1f", 100 * *s.std);
  return out;
}

std::string meanCi(const std::optional<SeedSummary>& s, bool latex) {
  if (!s) return latex ? "--" : "n/a";
  std::string out = fmt("%.1f", 100 * s->mean);
  if (!s->ciHalfWidth) return out + (latex ? "" : " (n=1)");
  const std::string ci = "[" + fmt("%.1f", 100 * *s->ciLow()) + ", " + fmt("%.1f", 100 * *s->ciHigh()) + "]";
  return out + (latex ? " {\\scriptsize " + ci + "}" : " " + ci);
}

std::string capSuffix(const Report& report, int64_t trainCap) {
  for (const GroupReport& a : report.groups)
    for (const GroupReport& b : report.groups)
      if (a.task == b.task && a.model == b.model && a.trainCap != b.trainCap) return " cap=" + std::to_string(trainCap);
  return "";
}

std::string schemesWord(const std::vector<std::string>& schemes) {
  std::vector<std::string> unique;
  for (const std::string& s : schemes)
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(s);
  std::string out;
  for (const std::string& s : unique) out += (out.empty() ? "" : "+") + s;
  return out.empty() ? "none" : out;
}

std::string averageLabel(const Report& report, const TaskAverage& average) {
  return "average (" + std::to_string(average.tasks.size()) + " tasks) " + average.method + " " + average.model +
         capSuffix(report, average.trainCap);
}

}  // namespace report_writers

std::string costFractionLabel(double f) {
  for (int d = 1; d <= 48; ++d) {
    const double n = f * d;
    if (std::abs(n - std::round(n)) > 1e-9) continue;
    const long numerator = std::lround(n), whole = numerator / d, rest = numerator % d;
    if (rest == 0) return std::to_string(whole);
    std::string part = std::to_string(rest) + "/" + std::to_string(d);
    return whole == 0 ? part : std::to_string(whole) + " " + part;
  }
  return report_writers::fmt("%.4g", f);
}

std::string formatReport(const Report& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::Text: return report_writers::textReport(report);
    case ReportFormat::Csv: return report_writers::csvReport(report);
    case ReportFormat::Json: return report_writers::jsonReport(report);
    case ReportFormat::Latex: return report_writers::latexReport(report);
  }
  return "";
}

}  // namespace sweet::analysis
