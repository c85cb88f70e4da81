// The report as LaTeX tables (booktabs) to paste into a paper: per-exit scores (Table 1),
// scores at the fixed cost fractions, and the chosen learning rates (Table 2).
#include "report_writers.h"

#include "run_naming.h"

#include <algorithm>
#include <sstream>

namespace sweet::analysis::report_writers {

namespace {

std::string latexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '&' || c == '%' || c == '#' || c == '$' || c == '{' || c == '}') out += '\\';
    out += c;
  }
  return out;
}

// Every table's opening: a label column, `columns` numbers right-aligned, the top rule.
void beginTable(std::ostringstream& out, size_t columns) {
  out << "\\begin{tabular}{l" << std::string(columns, 'r') << "}\n\\toprule\n";
}

void endTable(std::ostringstream& out) { out << "\\bottomrule\n\\end{tabular}\n"; }

void headerRow(std::ostringstream& out, const std::string& title, const std::vector<std::string>& columns) {
  out << title;
  for (const std::string& c : columns) out << " & " << c;
  out << " \\\\\n\\midrule\n";
}

// Rows under a column header, with a new header (after a rule) wherever the columns change:
// groups of other depths or methods have other exits and cost fractions.
struct Table {
  std::ostringstream& out;
  std::vector<std::string> shown;
  bool started = false;

  void row(const std::vector<std::string>& header, const std::string& label, const std::vector<std::string>& cells) {
    if (!started || header != shown) {
      if (started) out << "\\midrule\n";
      headerRow(out, "Method", header);
      shown = header;
      started = true;
    }
    out << latexEscape(label);
    for (const std::string& c : cells) out << " & " << c;
    out << " \\\\\n";
  }
};

std::vector<std::string> exitColumns(const std::vector<int64_t>& layers) {
  std::vector<std::string> columns;
  for (int64_t l : layers) columns.push_back("Exit " + std::to_string(l));
  return columns;
}

std::vector<std::string> costColumns(const std::vector<double>& fractions) {
  std::vector<std::string> columns;
  for (double f : fractions) columns.push_back(costFractionLabel(f));
  return columns;
}

std::vector<std::string> meanStdCells(const std::vector<SeedSummary>& values) {
  std::vector<std::string> cells;
  for (const SeedSummary& s : values) cells.push_back(meanStd(s, true));
  return cells;
}

std::vector<std::string> meanCiCells(const std::vector<std::optional<SeedSummary>>& values) {
  std::vector<std::string> cells;
  for (const auto& s : values) cells.push_back(meanCi(s, true));
  return cells;
}

std::string rowLabel(const Report&, const GroupReport& g) { return g.label; }
std::string rowLabel(const Report& r, const TaskAverage& a) { return averageLabel(r, a); }

// One table: every group, then every task average. `columnsOf(row)` heads a row's block
// (its exits or cost fractions), `cellsOf(row)` fills the row.
template <typename ColumnsOf, typename CellsOf>
void groupTable(std::ostringstream& out, const Report& r, size_t columns, ColumnsOf columnsOf, CellsOf cellsOf) {
  beginTable(out, columns);
  Table table{out};
  for (const GroupReport& g : r.groups) table.row(columnsOf(g), rowLabel(r, g), cellsOf(g));
  for (const TaskAverage& a : r.taskAverages) table.row(columnsOf(a), rowLabel(r, a), cellsOf(a));
  endTable(out);
}

// Table 2: the chosen learning rate, one row per (model, method), one column per task.
void learningRateTable(std::ostringstream& out, const Report& r) {
  if (r.learningRates.empty()) return;
  auto rowOf = [&](const LrSelection& s) { return s.model + " " + s.method + capSuffix(r, s.trainCap); };
  std::vector<std::string> tasks, rows;
  for (const LrSelection& s : r.learningRates) {
    if (std::find(tasks.begin(), tasks.end(), s.task) == tasks.end()) tasks.push_back(s.task);
    if (std::find(rows.begin(), rows.end(), rowOf(s)) == rows.end()) rows.push_back(rowOf(s));
  }
  std::sort(tasks.begin(), tasks.end());
  out << "\n% chosen learning rate per method, model size and task (largest AUC over seeds)\n";
  beginTable(out, tasks.size());
  std::vector<std::string> taskColumns;
  for (const std::string& t : tasks) taskColumns.push_back(latexEscape(t));
  headerRow(out, "Model / method", taskColumns);
  for (const std::string& row : rows) {
    out << latexEscape(row);
    for (const std::string& t : tasks) {
      std::string cell = "--";
      for (const LrSelection& s : r.learningRates)
        if (s.task == t && rowOf(s) == row) cell = "$" + formatLearningRate(s.chosenLearningRate()) + "$";
      out << " & " << cell;
    }
    out << " \\\\\n";
  }
  endTable(out);
}

}  // namespace

std::string latexReport(const Report& r) {
  std::ostringstream out;
  out << "% sweet report (needs \\usepackage{booktabs}); scores x100, mean $\\pm$ std over seeds\n";
  out << "% confidences: " << r.calibrationSummary << "\n";
  size_t maxExits = 0, maxFractions = 0;
  for (const GroupReport& g : r.groups) {
    maxExits = std::max(maxExits, g.perExit.size());
    maxFractions = std::max(maxFractions, g.costFractions.size());
  }
  groupTable(
      out, r, maxExits, [](const auto& row) { return exitColumns(row.exitLayers); },
      [](const auto& row) { return meanStdCells(row.perExit); });
  out << "\n% score at fixed cost fractions (1 = full model), [95\\% CI]\n";
  groupTable(
      out, r, maxFractions, [](const auto& row) { return costColumns(row.costFractions); },
      [](const auto& row) { return meanCiCells(row.atCost); });
  learningRateTable(out, r);
  return out.str();
}

}  // namespace sweet::analysis::report_writers
