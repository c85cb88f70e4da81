// The report as CSV for further processing: one row per number, raw fractions at full
// precision, and on every row the confidences the number comes from.
#include "report_writers.h"

#include <cstdlib>
#include <sstream>

namespace sweet::analysis::report_writers {

namespace {

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Shortest of %.15g / %.17g that reads back as the same double: 2e-05, not 2.0000000000000002e-05.
std::string exact(double v) {
  const std::string shorter = fmt("%.15g", v);
  return std::strtod(shorter.c_str(), nullptr) == v ? shorter : fmt("%.17g", v);
}

std::string optionalNumber(const std::optional<double>& v) { return v ? exact(*v) : ""; }

// What a row is about: its section, group (if any) and the task, method, lr, model columns.
struct RowKey {
  std::string section;
  const GroupReport* group = nullptr;
  std::string task, method;
  std::optional<double> lr;
  std::string model;
  std::string metric;  // empty: the group's
};

RowKey groupKey(const std::string& section, const GroupReport& g, const std::string& metric = "") {
  return {section, &g, g.task, g.method, g.learningRate, g.model, metric};
}

struct CsvOut {
  std::ostringstream out;
  std::string reportSchemes;

  // A summary (n, mean, std, CI) or, without one, a single value in the mean column.
  void row(const RowKey& k, const std::string& column, const std::optional<SeedSummary>& s,
           const std::optional<double>& value = std::nullopt) {
    const GroupReport* g = k.group;
    out << k.section << "," << csvField(g ? g->label : "") << "," << csvField(k.task) << "," << k.method << ","
        << optionalNumber(k.lr) << "," << csvField(k.model) << "," << (!k.metric.empty() ? k.metric : g ? g->metric : "")
        << "," << csvField(column) << "," << (s ? std::to_string(s->n) : "") << ","
        << (s ? exact(s->mean) : optionalNumber(value)) << "," << (s ? optionalNumber(s->std) : "") << ","
        << (s ? optionalNumber(s->ciLow()) : "") << "," << (s ? optionalNumber(s->ciHigh()) : "") << ","
        << (g ? schemesWord(g->calibrationSchemes) : reportSchemes) << "\n";
  }
};

std::string exitColumn(const std::vector<int64_t>& layers, size_t e) { return "L" + std::to_string(layers[e]); }

void calibrationRows(CsvOut& csv, const GroupReport& g) {
  for (size_t e = 0; e < g.calibration.size(); ++e) {
    const std::string exit = exitColumn(g.exitLayers, e);
    const CalibrationSummary& c = g.calibration[e];
    csv.row(groupKey("temperature", g), exit, c.temperature);
    csv.row(groupKey("nll_before", g), exit, c.nllBefore);
    csv.row(groupKey("nll_after", g), exit, c.nllAfter);
    csv.row(groupKey("ece_before", g), exit, c.eceBefore);
    csv.row(groupKey("ece_after", g), exit, c.eceAfter);
  }
}

void groupRows(CsvOut& csv, const GroupReport& g) {
  for (size_t e = 0; e < g.perExit.size(); ++e) csv.row(groupKey("per_exit", g), exitColumn(g.exitLayers, e), g.perExit[e]);
  for (size_t f = 0; f < g.costFractions.size(); ++f) csv.row(groupKey("at_cost", g), exact(g.costFractions[f]), g.atCost[f]);
  for (size_t f = 0; f < g.atCostLearned.size(); ++f)
    csv.row(groupKey("at_cost_learned_exit", g), exact(g.costFractions[f]), g.atCostLearned[f]);
  csv.row(groupKey("auc", g), "auc", g.auc);
  for (size_t e = 0; e < g.perExitSecondary.size(); ++e)
    csv.row(groupKey("per_exit_" + g.secondaryMetric, g, g.secondaryMetric), exitColumn(g.exitLayers, e),
            g.perExitSecondary[e]);
  for (size_t f = 0; f < g.atCostSecondary.size(); ++f)
    csv.row(groupKey("at_cost_" + g.secondaryMetric, g, g.secondaryMetric), exact(g.costFractions[f]),
            g.atCostSecondary[f]);
  calibrationRows(csv, g);
}

// Each task's mean beside the average, per exit and per cost fraction.
void averageRows(CsvOut& csv, const Report& r, const TaskAverage& a) {
  const std::string model = a.model + capSuffix(r, a.trainCap);
  auto key = [&](const std::string& section, const std::string& task, const std::string& metric = "") {
    return RowKey{section, nullptr, task, a.method, std::nullopt, model, metric};
  };
  for (size_t e = 0; e < a.perExit.size(); ++e) {
    const std::string exit = exitColumn(a.exitLayers, e);
    for (size_t t = 0; t < a.tasks.size(); ++t)
      csv.row(key("average_task_per_exit", a.tasks[t]), exit, std::nullopt, a.perExitByTask[t][e]);
    csv.row(key("average_per_exit", "average", "mixed"), exit, a.perExit[e]);
  }
  for (size_t f = 0; f < a.costFractions.size(); ++f) {
    const std::string column = exact(a.costFractions[f]);
    for (size_t t = 0; t < a.tasks.size(); ++t)
      csv.row(key("average_task_at_cost", a.tasks[t]), column, std::nullopt, a.atCostByTask[t][f]);
    csv.row(key("average_at_cost", "average", "mixed"), column, a.atCost[f]);
  }
}

void gapAndLearningRateRows(CsvOut& csv, const Report& r) {
  for (const MethodGap& gap : r.gaps)
    for (size_t e = 0; e < gap.perExit.size(); ++e)
      csv.row({"gap_vs_ee", nullptr, gap.task, gap.method, std::nullopt, gap.model, ""}, "exit" + std::to_string(e + 1),
              std::nullopt, gap.perExit[e]);
  for (const LrSelection& s : r.learningRates) {
    for (const LrCandidate& c : s.candidates)
      csv.row({"lr_auc", nullptr, s.task, s.method, c.learningRate, s.model, ""}, "auc", c.auc);
    csv.row({"chosen_lr", nullptr, s.task, s.method, s.chosenLearningRate(), s.model, ""}, "lr", std::nullopt,
            s.chosenLearningRate());
  }
}

}  // namespace

std::string csvReport(const Report& r) {
  CsvOut csv;
  std::vector<std::string> schemes;
  for (const GroupReport& g : r.groups) schemes.insert(schemes.end(), g.calibrationSchemes.begin(), g.calibrationSchemes.end());
  csv.reportSchemes = schemesWord(schemes);
  // The last column says, on every row, which confidences the numbers come from.
  csv.out << "section,group,task,method,lr,model,metric,column,n,mean,std,ci_low,ci_high,calibration\n";
  for (const GroupReport& g : r.groups) groupRows(csv, g);
  for (const TaskAverage& a : r.taskAverages) averageRows(csv, r, a);
  gapAndLearningRateRows(csv, r);
  return csv.out.str();
}

}  // namespace sweet::analysis::report_writers
