// The report as text for a terminal: one section per table, columns padded to line up.
#include "report_writers.h"

#include "run_naming.h"

#include <algorithm>
#include <sstream>

namespace sweet::analysis::report_writers {

namespace {

std::string pad(const std::string& text, size_t width) {
  // Width in characters, counting UTF-8 continuation bytes (±, −) as nothing.
  size_t shown = 0;
  for (unsigned char c : text) shown += (c & 0xC0) != 0x80;
  return text + std::string(width > shown ? width - shown : 1, ' ');
}

std::string layersLabel(const std::vector<int64_t>& layers) {
  std::string out = "[";
  for (size_t e = 0; e < layers.size(); ++e) out += (e ? "," : "") + std::to_string(layers[e]);
  return out + "]";
}

// Every section writes into one stream with the label column's width.
struct TextOut {
  std::ostringstream out;
  size_t labelWidth = 24;

  // "<title>, exits after layers [6,12]   L6   L12": the per-exit columns.
  void exitHeader(const std::string& title, const std::vector<int64_t>& layers) {
    out << pad(title + "exits after layers " + layersLabel(layers), labelWidth + 5);
    for (int64_t l : layers) out << pad("L" + std::to_string(l), 16);
    out << "\n";
  }
  // "cost (speedup)   1/12 (12.00x)   …": the fixed-cost columns.
  void costHeader(const std::string& title, const std::vector<double>& fractions) {
    out << pad(title, labelWidth);
    for (double f : fractions) out << pad(costFractionLabel(f) + " (" + fmt("%.2fx", 1 / f) + ")", 20);
    out << "\n";
  }
  void costRow(const std::string& label, const std::vector<std::optional<SeedSummary>>& points) {
    out << pad(label, labelWidth);
    for (const auto& s : points) out << pad(meanCi(s), 20);
    out << "\n";
  }
  // Mean ± std per exit after a label of `width`; the line is left open.
  void exitCells(const std::string& label, size_t width, const std::vector<SeedSummary>& perExit) {
    out << pad(label, width);
    for (const SeedSummary& s : perExit) out << pad(meanStd(s), 16);
  }
};

void perExitSection(TextOut& t, const Report& r) {
  t.out << "\nPer-exit scores (each exit alone on the whole eval set)\n";
  std::vector<int64_t> shownLayers;
  for (const GroupReport& g : r.groups) {
    if (g.exitLayers != shownLayers) t.exitHeader("  ", shownLayers = g.exitLayers);
    t.out << pad("  " + g.label, t.labelWidth);
    t.exitCells("n=" + std::to_string(g.seeds.size()), 5, g.perExit);
    t.out << " (" << g.metric << ")\n";
    if (g.secondaryMetric.empty()) continue;
    t.exitCells("    " + g.secondaryMetric + " (secondary)", t.labelWidth + 5, g.perExitSecondary);
    t.out << " (" << g.secondaryMetric << ")\n";
  }
}

void gapSection(TextOut& t, const Report& r) {
  if (r.gaps.empty()) return;
  t.out << "\nGaps per exit (points; each method at its chosen learning rate)\n";
  for (const MethodGap& gap : r.gaps) {
    t.out << pad("  " + gap.task + " " + gap.model + " " + gap.method + " − ee" + capSuffix(r, gap.trainCap),
                 t.labelWidth + 5);
    for (const auto& d : gap.perExit) t.out << pad(d ? fmt("%+.1f", 100 * *d) : "n/a", 16);
    t.out << "\n";
  }
}

void atCostSection(TextOut& t, const Report& r) {
  t.out << "\nScore at fixed cost fractions (" << (r.exactCurve ? "exact curve" : "paper's 11-threshold sweep")
        << (r.calibrated ? ", temperature-scaled confidences" : ", raw confidences")
        << "; cost 1 = full model, speedup = 1/cost; n/a = outside the curve)\n";
  std::vector<double> shownFractions;
  for (const GroupReport& g : r.groups) {
    if (g.costFractions != shownFractions) t.costHeader("  cost (speedup)", shownFractions = g.costFractions);
    t.costRow("  " + g.label, g.atCost);
    if (!g.atCostSecondary.empty()) t.costRow("    " + g.secondaryMetric + " (secondary)", g.atCostSecondary);
    if (!g.atCostLearned.empty()) t.costRow("    learned exit (LTE)", g.atCostLearned);
  }
}

void taskAverage(TextOut& t, const Report& r, const TaskAverage& a) {
  t.exitHeader("  " + a.model + " " + a.method + capSuffix(r, a.trainCap) + ", ", a.exitLayers);
  for (size_t task = 0; task < a.tasks.size(); ++task) {
    t.out << pad("    " + a.tasks[task], t.labelWidth + 5);
    for (double v : a.perExitByTask[task]) t.out << pad(fmt("%.1f", 100 * v), 16);
    t.out << "\n";
  }
  t.out << pad("    average", t.labelWidth);
  t.exitCells("n=" + std::to_string(a.seeds.size()), 5, a.perExit);
  t.out << "\n";
  t.costHeader("    cost (speedup)", a.costFractions);
  for (size_t task = 0; task < a.tasks.size(); ++task) {
    t.out << pad("    " + a.tasks[task], t.labelWidth);
    for (const auto& v : a.atCostByTask[task]) t.out << pad(v ? fmt("%.1f", 100 * *v) : "n/a", 20);
    t.out << "\n";
  }
  t.costRow("    average", a.atCost);
}

void taskAverageSection(TextOut& t, const Report& r) {
  if (r.taskAverages.empty()) return;
  t.out << "\nAverage over tasks (each task at its chosen learning rate; metrics as they are, MCC for CoLA;\n"
        << "mean ± std over the per-seed task averages of the seeds every task has)\n";
  for (const TaskAverage& a : r.taskAverages) taskAverage(t, r, a);
}

void learningRateSection(TextOut& t, const Report& r) {
  if (r.learningRates.empty()) return;
  t.out << "\nLearning rates (Table 2; AUC = mean score over the cost range [L_1/L_M, max], exact curve, "
        << (r.calibrated ? "temperature-scaled" : "raw") << " confidences)\n";
  for (const LrSelection& s : r.learningRates) {
    t.out << "  " << s.task << " " << s.method << " " << s.model << capSuffix(r, s.trainCap) << ":";
    for (size_t c = 0; c < s.candidates.size(); ++c)
      t.out << (c ? " |" : "") << " lr=" << formatLearningRate(s.candidates[c].learningRate) << " "
            << meanStd(s.candidates[c].auc) << " (n=" << s.candidates[c].auc.n << ")";
    t.out << "  -> chosen " << formatLearningRate(s.chosenLearningRate()) << "\n";
  }
}

void calibrationSection(TextOut& t, const Report& r) {
  const bool any = std::any_of(r.groups.begin(), r.groups.end(), [](const GroupReport& g) { return !g.calibration.empty(); });
  if (!r.calibrated || !any) return;
  t.out << "\nTemperature scaling ("
        << (r.calibrationSplit == CalibrationSplit::Calibration
                ? "fitted on held-out training rows, or cross-fitted on two halves of the eval set where a run has none"
                : "fitted on the eval set")
        << "; T of a cross-fitted run: geometric mean of its two folds'; NLL and ECE (15 bins) on the eval set, means over seeds)\n";
  for (const GroupReport& g : r.groups)
    for (size_t e = 0; e < g.calibration.size(); ++e) {
      const CalibrationSummary& c = g.calibration[e];
      t.out << pad("  " + g.label, t.labelWidth) << pad("L" + std::to_string(g.exitLayers[e]), 5)
            << "T=" << fmt("%.3f", c.temperature.mean) << "  NLL " << fmt("%.4f", c.nllBefore.mean) << " -> "
            << fmt("%.4f", c.nllAfter.mean) << "  ECE " << fmt("%.4f", c.eceBefore.mean) << " -> "
            << fmt("%.4f", c.eceAfter.mean) << "\n";
    }
}

void speedAndNotes(TextOut& t, const Report& r) {
  if (!r.speed.empty()) {
    t.out << "\nMeasured wall-clock speed (real early exiting, sweet infer --measure): layer speedup = the paper's "
             "1/cost from the exits taken; measured = time without exiting / time with it; ratio = measured / layer\n";
    for (const RunSpeed& run : r.speed) {
      t.out << "  " << run.runPath << " (" << run.groupLabel << ")\n";
      for (const SpeedMeasurement& m : run.measurements) t.out << formatSpeedMeasurement(m, "    ");
    }
  }
  if (!r.notes.empty()) {
    t.out << "\nNotes\n";
    for (const std::string& note : r.notes) t.out << "  " << note << "\n";
  }
}

}  // namespace

std::string textReport(const Report& r) {
  TextOut t;
  for (const GroupReport& g : r.groups) t.labelWidth = std::max(t.labelWidth, g.label.size() + 4);
  t.out << "sweet report: " << r.groups.size() << " group(s); seeds pooled over " << r.grouping << ".\n"
        << "Confidences: " << r.calibrationSummary << ".\n"
        << "Scores x100 (metric per task); mean ± sample std over seeds; [95% CI, Student t, n-1 dof].\n";
  perExitSection(t, r);
  gapSection(t, r);
  atCostSection(t, r);
  taskAverageSection(t, r);
  learningRateSection(t, r);
  calibrationSection(t, r);
  speedAndNotes(t, r);
  return t.out.str();
}

}  // namespace sweet::analysis::report_writers
