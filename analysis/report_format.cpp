// Prints a Report as text, CSV, JSON or LaTeX (booktabs). Scores are shown x100 in text and
// LaTeX as GLUE papers do; CSV and JSON keep the raw fractions for further processing.
#include "report.h"

#include "run_naming.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace sweet::analysis {

namespace {

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string fractionLabel(double f) { return costFractionLabel(f); }

}  // namespace

std::string costFractionLabel(double f) {
  for (int d = 1; d <= 48; ++d) {
    const double n = f * d;
    if (std::abs(n - std::round(n)) > 1e-9) continue;
    const long numerator = std::lround(n), whole = numerator / d, rest = numerator % d;
    if (rest == 0) return std::to_string(whole);
    std::string part = std::to_string(rest) + "/" + std::to_string(d);
    return whole == 0 ? part : std::to_string(whole) + " " + part;
  }
  return fmt("%.4g", f);
}

namespace {

std::string meanStd(const SeedSummary& s, bool latex = false) {
  std::string out = fmt("%.1f", 100 * s.mean);
  if (s.std) out += (latex ? " $\\pm$ " : " ± ") + fmt("%.1f", 100 * *s.std);
  return out;
}

std::string meanCi(const std::optional<SeedSummary>& s, bool latex = false) {
  if (!s) return latex ? "--" : "n/a";
  std::string out = fmt("%.1f", 100 * s->mean);
  if (!s->ciHalfWidth) return out + (latex ? "" : " (n=1)");
  const std::string ci = "[" + fmt("%.1f", 100 * *s->ciLow()) + ", " + fmt("%.1f", 100 * *s->ciHigh()) + "]";
  return out + (latex ? " {\\scriptsize " + ci + "}" : " " + ci);
}

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

// True when some task was run at several train_cap values: then caps label the rows.
bool capsDiffer(const Report& r) {
  for (const GroupReport& a : r.groups)
    for (const GroupReport& b : r.groups)
      if (a.task == b.task && a.model == b.model && a.trainCap != b.trainCap) return true;
  return false;
}

// One word per output row for the confidences used: none, held-out, cross-fit, eval, or
// several joined with '+'.
std::string schemesWord(const std::vector<std::string>& schemes) {
  std::vector<std::string> unique;
  for (const std::string& s : schemes)
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(s);
  std::string out;
  for (const std::string& s : unique) out += (out.empty() ? "" : "+") + s;
  return out.empty() ? "none" : out;
}

std::string reportSchemesWord(const Report& r) {
  std::vector<std::string> all;
  for (const GroupReport& g : r.groups) all.insert(all.end(), g.calibrationSchemes.begin(), g.calibrationSchemes.end());
  return schemesWord(all);
}

std::string text(const Report& r) {
  std::ostringstream out;
  size_t labelWidth = 24;
  for (const GroupReport& g : r.groups) labelWidth = std::max(labelWidth, g.label.size() + 4);
  out << "sweet report: " << r.groups.size() << " group(s); seeds pooled over " << r.grouping << ".\n"
      << "Confidences: " << r.calibrationSummary << ".\n"
      << "Scores x100 (metric per task); mean ± sample std over seeds; [95% CI, Student t, n-1 dof].\n";

  out << "\nPer-exit scores (each exit alone on the whole eval set)\n";
  std::vector<int64_t> shownLayers;
  for (const GroupReport& g : r.groups) {
    if (g.exitLayers != shownLayers) {
      shownLayers = g.exitLayers;
      out << pad("  exits after layers " + layersLabel(g.exitLayers), labelWidth + 5);
      for (int64_t l : g.exitLayers) out << pad("L" + std::to_string(l), 16);
      out << "\n";
    }
    out << pad("  " + g.label, labelWidth) << pad("n=" + std::to_string(g.seeds.size()), 5);
    for (const SeedSummary& s : g.perExit) out << pad(meanStd(s), 16);
    out << " (" << g.metric << ")\n";
    if (!g.secondaryMetric.empty()) {
      out << pad("    " + g.secondaryMetric + " (secondary)", labelWidth + 5);
      for (const SeedSummary& s : g.perExitSecondary) out << pad(meanStd(s), 16);
      out << " (" << g.secondaryMetric << ")\n";
    }
  }
  if (!r.gaps.empty()) {
    out << "\nGaps per exit (points; each method at its chosen learning rate)\n";
    for (const MethodGap& gap : r.gaps) {
      out << pad("  " + gap.task + " " + gap.model + " " + gap.method + " − ee" +
                     (capsDiffer(r) ? " cap=" + std::to_string(gap.trainCap) : ""),
                 labelWidth + 5);
      for (const auto& d : gap.perExit) out << pad(d ? fmt("%+.1f", 100 * *d) : "n/a", 16);
      out << "\n";
    }
  }

  out << "\nScore at fixed cost fractions (" << (r.exactCurve ? "exact curve" : "paper's 11-threshold sweep")
      << (r.calibrated ? ", temperature-scaled confidences" : ", raw confidences")
      << "; cost 1 = full model, speedup = 1/cost; n/a = outside the curve)\n";
  std::vector<double> shownFractions;
  for (const GroupReport& g : r.groups) {
    if (g.costFractions != shownFractions) {
      shownFractions = g.costFractions;
      out << pad("  cost (speedup)", labelWidth);
      for (double f : g.costFractions) out << pad(fractionLabel(f) + " (" + fmt("%.2fx", 1 / f) + ")", 20);
      out << "\n";
    }
    out << pad("  " + g.label, labelWidth);
    for (const auto& s : g.atCost) out << pad(meanCi(s), 20);
    out << "\n";
    if (!g.atCostSecondary.empty()) {
      out << pad("    " + g.secondaryMetric + " (secondary)", labelWidth);
      for (const auto& s : g.atCostSecondary) out << pad(meanCi(s), 20);
      out << "\n";
    }
    if (!g.atCostLearned.empty()) {
      out << pad("    learned exit (LTE)", labelWidth);
      for (const auto& s : g.atCostLearned) out << pad(meanCi(s), 20);
      out << "\n";
    }
  }

  if (!r.taskAverages.empty()) {
    out << "\nAverage over tasks (each task at its chosen learning rate; metrics as they are, MCC for CoLA;\n"
        << "mean ± std over the per-seed task averages of the seeds every task has)\n";
    for (const TaskAverage& a : r.taskAverages) {
      std::string title = "  " + a.model + " " + a.method + (capsDiffer(r) ? " cap=" + std::to_string(a.trainCap) : "");
      out << pad(title + ", exits after layers " + layersLabel(a.exitLayers), labelWidth + 5);
      for (int64_t l : a.exitLayers) out << pad("L" + std::to_string(l), 16);
      out << "\n";
      for (size_t t = 0; t < a.tasks.size(); ++t) {
        out << pad("    " + a.tasks[t], labelWidth + 5);
        for (double v : a.perExitByTask[t]) out << pad(fmt("%.1f", 100 * v), 16);
        out << "\n";
      }
      out << pad("    average", labelWidth) << pad("n=" + std::to_string(a.seeds.size()), 5);
      for (const SeedSummary& s : a.perExit) out << pad(meanStd(s), 16);
      out << "\n";
      out << pad("    cost (speedup)", labelWidth);
      for (double f : a.costFractions) out << pad(fractionLabel(f) + " (" + fmt("%.2fx", 1 / f) + ")", 20);
      out << "\n";
      for (size_t t = 0; t < a.tasks.size(); ++t) {
        out << pad("    " + a.tasks[t], labelWidth);
        for (const auto& v : a.atCostByTask[t]) out << pad(v ? fmt("%.1f", 100 * *v) : "n/a", 20);
        out << "\n";
      }
      out << pad("    average", labelWidth);
      for (const auto& s : a.atCost) out << pad(meanCi(s), 20);
      out << "\n";
    }
  }

  if (!r.learningRates.empty()) {
    out << "\nLearning rates (Table 2; AUC = mean score over the cost range [L_1/L_M, max], exact curve, "
        << (r.calibrated ? "temperature-scaled" : "raw") << " confidences)\n";
    for (const LrSelection& s : r.learningRates) {
      out << "  " << s.task << " " << s.method << " " << s.model << (capsDiffer(r) ? " cap=" + std::to_string(s.trainCap) : "")
          << ":";
      for (size_t c = 0; c < s.candidates.size(); ++c)
        out << (c ? " |" : "") << " lr=" << formatLearningRate(s.candidates[c].learningRate) << " " << meanStd(s.candidates[c].auc)
            << " (n=" << s.candidates[c].auc.n << ")";
      out << "  -> chosen " << formatLearningRate(s.chosenLearningRate()) << "\n";
    }
  }

  const bool anyCalibration = std::any_of(r.groups.begin(), r.groups.end(), [](const GroupReport& g) { return !g.calibration.empty(); });
  if (r.calibrated && anyCalibration) {
    out << "\nTemperature scaling ("
        << (r.calibrationSplit == CalibrationSplit::Calibration
                ? "fitted on held-out training rows, or cross-fitted on two halves of the eval set where a run has none"
                : "fitted on the eval set")
        << "; T of a cross-fitted run: geometric mean of its two folds'; NLL and ECE (15 bins) on the eval set, means over seeds)\n";
    for (const GroupReport& g : r.groups)
      for (size_t e = 0; e < g.calibration.size(); ++e) {
        const CalibrationSummary& c = g.calibration[e];
        out << pad("  " + g.label, labelWidth) << pad("L" + std::to_string(g.exitLayers[e]), 5)
            << "T=" << fmt("%.3f", c.temperature.mean) << "  NLL " << fmt("%.4f", c.nllBefore.mean) << " -> "
            << fmt("%.4f", c.nllAfter.mean) << "  ECE " << fmt("%.4f", c.eceBefore.mean) << " -> "
            << fmt("%.4f", c.eceAfter.mean) << "\n";
      }
  }
  if (!r.speed.empty()) {
    out << "\nMeasured wall-clock speed (real early exiting, sweet infer --measure): layer speedup = the paper's "
           "1/cost from the exits taken; measured = time without exiting / time with it; ratio = measured / layer\n";
    for (const RunSpeed& run : r.speed) {
      out << "  " << run.runPath << " (" << run.groupLabel << ")\n";
      for (const SpeedMeasurement& m : run.measurements) out << formatSpeedMeasurement(m, "    ");
    }
  }
  if (!r.notes.empty()) {
    out << "\nNotes\n";
    for (const std::string& note : r.notes) out << "  " << note << "\n";
  }
  return out.str();
}

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

std::string csv(const Report& r) {
  std::ostringstream out;
  // The last column says, on every row, which confidences the numbers come from.
  out << "section,group,task,method,lr,model,metric,column,n,mean,std,ci_low,ci_high,calibration\n";
  const std::string reportWord = reportSchemesWord(r);
  auto row = [&](const std::string& section, const GroupReport* g, const std::string& task, const std::string& method,
                 const std::optional<double>& lr, const std::string& model, const std::string& column,
                 const std::optional<SeedSummary>& s, const std::optional<double>& value = std::nullopt,
                 const std::string& metric = "") {
    out << section << "," << csvField(g ? g->label : "") << "," << csvField(task) << "," << method << ","
        << optionalNumber(lr) << "," << csvField(model) << "," << (!metric.empty() ? metric : g ? g->metric : "") << ","
        << csvField(column) << ","
        << (s ? std::to_string(s->n) : "") << "," << (s ? exact(s->mean) : optionalNumber(value)) << ","
        << (s ? optionalNumber(s->std) : "") << "," << (s ? optionalNumber(s->ciLow()) : "") << ","
        << (s ? optionalNumber(s->ciHigh()) : "") << "," << (g ? schemesWord(g->calibrationSchemes) : reportWord) << "\n";
  };
  for (const GroupReport& g : r.groups) {
    for (size_t e = 0; e < g.perExit.size(); ++e)
      row("per_exit", &g, g.task, g.method, g.learningRate, g.model, "L" + std::to_string(g.exitLayers[e]), g.perExit[e]);
    for (size_t f = 0; f < g.costFractions.size(); ++f)
      row("at_cost", &g, g.task, g.method, g.learningRate, g.model, exact(g.costFractions[f]), g.atCost[f]);
    for (size_t f = 0; f < g.atCostLearned.size(); ++f)
      row("at_cost_learned_exit", &g, g.task, g.method, g.learningRate, g.model, exact(g.costFractions[f]), g.atCostLearned[f]);
    row("auc", &g, g.task, g.method, g.learningRate, g.model, "auc", g.auc);
    for (size_t e = 0; e < g.perExitSecondary.size(); ++e)
      row("per_exit_" + g.secondaryMetric, &g, g.task, g.method, g.learningRate, g.model,
          "L" + std::to_string(g.exitLayers[e]), g.perExitSecondary[e], std::nullopt, g.secondaryMetric);
    for (size_t f = 0; f < g.atCostSecondary.size(); ++f)
      row("at_cost_" + g.secondaryMetric, &g, g.task, g.method, g.learningRate, g.model, exact(g.costFractions[f]),
          g.atCostSecondary[f], std::nullopt, g.secondaryMetric);
    for (size_t e = 0; e < g.calibration.size(); ++e) {
      const std::string exit = "L" + std::to_string(g.exitLayers[e]);
      const CalibrationSummary& c = g.calibration[e];
      row("temperature", &g, g.task, g.method, g.learningRate, g.model, exit, c.temperature);
      row("nll_before", &g, g.task, g.method, g.learningRate, g.model, exit, c.nllBefore);
      row("nll_after", &g, g.task, g.method, g.learningRate, g.model, exit, c.nllAfter);
      row("ece_before", &g, g.task, g.method, g.learningRate, g.model, exit, c.eceBefore);
      row("ece_after", &g, g.task, g.method, g.learningRate, g.model, exit, c.eceAfter);
    }
  }
  for (const TaskAverage& a : r.taskAverages) {
    const std::string model = a.model + (capsDiffer(r) ? " cap=" + std::to_string(a.trainCap) : "");
    for (size_t e = 0; e < a.perExit.size(); ++e) {
      const std::string exit = "L" + std::to_string(a.exitLayers[e]);
      for (size_t t = 0; t < a.tasks.size(); ++t)
        row("average_task_per_exit", nullptr, a.tasks[t], a.method, std::nullopt, model, exit, std::nullopt,
            a.perExitByTask[t][e]);
      row("average_per_exit", nullptr, "average", a.method, std::nullopt, model, exit, a.perExit[e], std::nullopt, "mixed");
    }
    for (size_t f = 0; f < a.costFractions.size(); ++f) {
      const std::string column = exact(a.costFractions[f]);
      for (size_t t = 0; t < a.tasks.size(); ++t)
        row("average_task_at_cost", nullptr, a.tasks[t], a.method, std::nullopt, model, column, std::nullopt,
            a.atCostByTask[t][f]);
      row("average_at_cost", nullptr, "average", a.method, std::nullopt, model, column, a.atCost[f], std::nullopt, "mixed");
    }
  }
  for (const MethodGap& gap : r.gaps)
    for (size_t e = 0; e < gap.perExit.size(); ++e)
      row("gap_vs_ee", nullptr, gap.task, gap.method, std::nullopt, gap.model, "exit" + std::to_string(e + 1), std::nullopt, gap.perExit[e]);
  for (const LrSelection& s : r.learningRates) {
    for (const LrCandidate& c : s.candidates) row("lr_auc", nullptr, s.task, s.method, c.learningRate, s.model, "auc", c.auc);
    row("chosen_lr", nullptr, s.task, s.method, s.chosenLearningRate(), s.model, "lr", std::nullopt, s.chosenLearningRate());
  }
  return out.str();
}

nlohmann::json summaryJson(const std::optional<SeedSummary>& s) {
  if (!s) return nullptr;
  nlohmann::json j = {{"n", s->n}, {"mean", s->mean}, {"std", nullptr}, {"ci95", nullptr}};
  if (s->std) j["std"] = *s->std;
  if (s->ciHalfWidth) j["ci95"] = {*s->ciLow(), *s->ciHigh()};
  return j;
}

std::string json(const Report& r) {
  nlohmann::json out = {{"grouping", r.grouping}, {"exact_curve", r.exactCurve}, {"calibrated", r.calibrated},
                        {"calibration", {{"enabled", r.calibrated},
                                         {"split", r.calibrationSplit == CalibrationSplit::Eval ? "eval" : "held-out or cross-fit"},
                                         {"summary", r.calibrationSummary}}},
                        {"task_averages", nlohmann::json::array()},
                        {"groups", nlohmann::json::array()}, {"gaps_vs_ee", nlohmann::json::array()},
                        {"learning_rates", nlohmann::json::array()}, {"notes", r.notes}};
  for (const GroupReport& g : r.groups) {
    nlohmann::json j = {{"label", g.label}, {"task", g.task}, {"method", g.method}, {"model", g.model},
                        {"metric", g.metric}, {"learning_rate", g.learningRate ? nlohmann::json(*g.learningRate) : nullptr},
                        {"exit_layers", g.exitLayers}, {"seeds", g.seeds}, {"runs", g.runPaths},
                        {"per_exit", nlohmann::json::array()}, {"at_cost", nlohmann::json::array()},
                        {"auc", summaryJson(g.auc)}, {"train_cap", g.trainCap}, {"train_count", g.trainCount},
                        {"num_layers", g.numLayers}, {"calibration_schemes", g.calibrationSchemes},
                        {"secondary_metric", g.secondaryMetric.empty() ? nlohmann::json(nullptr) : nlohmann::json(g.secondaryMetric)},
                        {"per_exit_secondary", nlohmann::json::array()}};
    for (const SeedSummary& s : g.perExit) j["per_exit"].push_back(summaryJson(s));
    for (const SeedSummary& s : g.perExitSecondary) j["per_exit_secondary"].push_back(summaryJson(s));
    for (size_t f = 0; f < g.costFractions.size(); ++f) {
      nlohmann::json point = {{"cost_fraction", g.costFractions[f]}, {"speedup", 1 / g.costFractions[f]},
                              {"score", summaryJson(g.atCost[f])}};
      if (f < g.atCostSecondary.size()) point["secondary"] = summaryJson(g.atCostSecondary[f]);
      if (f < g.atCostLearned.size()) point["learned_exit"] = summaryJson(g.atCostLearned[f]);
      j["at_cost"].push_back(point);
    }
    if (r.calibrated) {
      j["calibration"] = nlohmann::json::array();
      for (const CalibrationSummary& c : g.calibration)
        j["calibration"].push_back({{"temperature", summaryJson(c.temperature)}, {"nll_before", summaryJson(c.nllBefore)},
                                    {"nll_after", summaryJson(c.nllAfter)}, {"ece_before", summaryJson(c.eceBefore)},
                                    {"ece_after", summaryJson(c.eceAfter)}});
    }
    out["groups"].push_back(j);
  }
  for (const TaskAverage& a : r.taskAverages) {
    nlohmann::json j = {{"model", a.model}, {"method", a.method}, {"train_cap", a.trainCap}, {"tasks", a.tasks},
                        {"exit_layers", a.exitLayers}, {"seeds", a.seeds}, {"per_exit", nlohmann::json::array()},
                        {"per_exit_by_task", a.perExitByTask}, {"at_cost", nlohmann::json::array()}};
    for (const SeedSummary& s : a.perExit) j["per_exit"].push_back(summaryJson(s));
    for (size_t f = 0; f < a.costFractions.size(); ++f) {
      nlohmann::json byTask = nlohmann::json::array();
      for (const auto& row : a.atCostByTask) byTask.push_back(row[f] ? nlohmann::json(*row[f]) : nlohmann::json(nullptr));
      j["at_cost"].push_back({{"cost_fraction", a.costFractions[f]}, {"speedup", 1 / a.costFractions[f]},
                              {"score", summaryJson(a.atCost[f])}, {"by_task", byTask}});
    }
    out["task_averages"].push_back(j);
  }
  for (const MethodGap& gap : r.gaps) {
    nlohmann::json per = nlohmann::json::array();
    for (const auto& d : gap.perExit) per.push_back(d ? nlohmann::json(*d) : nlohmann::json(nullptr));
    out["gaps_vs_ee"].push_back({{"task", gap.task}, {"model", gap.model}, {"method", gap.method},
                                 {"train_cap", gap.trainCap}, {"per_exit", per}});
  }
  for (const LrSelection& s : r.learningRates) {
    nlohmann::json candidates = nlohmann::json::array();
    for (const LrCandidate& c : s.candidates) candidates.push_back({{"learning_rate", c.learningRate}, {"auc", summaryJson(c.auc)}});
    out["learning_rates"].push_back({{"task", s.task}, {"method", s.method}, {"model", s.model}, {"train_cap", s.trainCap},
                                     {"chosen", s.chosenLearningRate()}, {"candidates", candidates}});
  }
  out["measured_speed"] = nlohmann::json::array();
  for (const RunSpeed& run : r.speed)
    for (const SpeedMeasurement& m : run.measurements) {
      nlohmann::json points = nlohmann::json::array();
      for (const SpeedPoint& p : m.points)
        points.push_back({{"threshold", p.threshold}, {"layer_speedup", p.layerSpeedup},
                          {"measured_speedup", p.measuredSpeedup}, {"seconds", p.seconds},
                          {"instances_per_second", p.instancesPerSecond}, {"score", p.score},
                          {"exit_counts", p.exitCounts}});
      out["measured_speed"].push_back({{"run", run.runPath}, {"group", run.groupLabel}, {"name", m.name},
                                       {"device", m.device}, {"batch_size", m.batchSize}, {"threads", m.threads},
                                       {"instances", m.instances}, {"calibrated", m.calibrated},
                                       {"baseline_seconds", m.baselineSeconds}, {"points", points}});
    }
  return out.dump(2) + "\n";
}

std::string latexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '&' || c == '%' || c == '#' || c == '$' || c == '{' || c == '}') out += '\\';
    out += c;
  }
  return out;
}

// Table 2: the chosen learning rate, one row per (model, method), one column per task.
std::string latexLearningRates(const Report& r) {
  if (r.learningRates.empty()) return "";
  std::vector<std::string> tasks, rows;
  for (const LrSelection& s : r.learningRates) {
    if (std::find(tasks.begin(), tasks.end(), s.task) == tasks.end()) tasks.push_back(s.task);
    const std::string row = s.model + " " + s.method + (capsDiffer(r) ? " cap=" + std::to_string(s.trainCap) : "");
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
  }
  std::sort(tasks.begin(), tasks.end());
  std::ostringstream out;
  out << "\n% chosen learning rate per method, model size and task (largest AUC over seeds)\n";
  out << "\\begin{tabular}{l" << std::string(tasks.size(), 'r') << "}\n\\toprule\nModel / method";
  for (const std::string& t : tasks) out << " & " << latexEscape(t);
  out << " \\\\\n\\midrule\n";
  for (const std::string& row : rows) {
    out << latexEscape(row);
    for (const std::string& t : tasks) {
      std::string cell = "--";
      for (const LrSelection& s : r.learningRates)
        if (s.task == t && s.model + " " + s.method + (capsDiffer(r) ? " cap=" + std::to_string(s.trainCap) : "") == row)
          cell = "$" + formatLearningRate(s.chosenLearningRate()) + "$";
      out << " & " << cell;
    }
    out << " \\\\\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n";
  return out.str();
}

std::string latex(const Report& r) {
  std::ostringstream out;
  out << "% sweet report (needs \\usepackage{booktabs}); scores x100, mean $\\pm$ std over seeds\n";
  out << "% confidences: " << r.calibrationSummary << "\n";
  size_t maxExits = 0, maxFractions = 0;
  for (const GroupReport& g : r.groups) {
    maxExits = std::max(maxExits, g.perExit.size());
    maxFractions = std::max(maxFractions, g.costFractions.size());
  }
  out << "\\begin{tabular}{l" << std::string(maxExits, 'r') << "}\n\\toprule\n";
  std::vector<int64_t> shownLayers;
  for (const GroupReport& g : r.groups) {
    if (g.exitLayers != shownLayers) {
      if (!shownLayers.empty()) out << "\\midrule\n";
      shownLayers = g.exitLayers;
      out << "Method";
      for (int64_t l : g.exitLayers) out << " & Exit " << l;
      out << " \\\\\n\\midrule\n";
    }
    out << latexEscape(g.label);
    for (const SeedSummary& s : g.perExit) out << " & " << meanStd(s, true);
    out << " \\\\\n";
  }
  for (const TaskAverage& a : r.taskAverages) {
    if (a.exitLayers != shownLayers) {
      out << "\\midrule\n";
      shownLayers = a.exitLayers;
      out << "Method";
      for (int64_t l : a.exitLayers) out << " & Exit " << l;
      out << " \\\\\n\\midrule\n";
    }
    out << latexEscape("average (" + std::to_string(a.tasks.size()) + " tasks) " + a.method + " " + a.model +
                       (capsDiffer(r) ? " cap=" + std::to_string(a.trainCap) : ""));
    for (const SeedSummary& s : a.perExit) out << " & " << meanStd(s, true);
    out << " \\\\\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n\n";
  out << "% score at fixed cost fractions (1 = full model), [95\\% CI]\n";
  out << "\\begin{tabular}{l" << std::string(maxFractions, 'r') << "}\n\\toprule\n";
  std::vector<double> shownFractions;
  for (const GroupReport& g : r.groups) {
    if (g.costFractions != shownFractions) {
      if (!shownFractions.empty()) out << "\\midrule\n";
      shownFractions = g.costFractions;
      out << "Method";
      for (double f : g.costFractions) out << " & " << fractionLabel(f);
      out << " \\\\\n\\midrule\n";
    }
    out << latexEscape(g.label);
    for (const auto& s : g.atCost) out << " & " << meanCi(s, true);
    out << " \\\\\n";
  }
  for (const TaskAverage& a : r.taskAverages) {
    if (a.costFractions != shownFractions) {
      out << "\\midrule\n";
      shownFractions = a.costFractions;
      out << "Method";
      for (double f : a.costFractions) out << " & " << fractionLabel(f);
      out << " \\\\\n\\midrule\n";
    }
    out << latexEscape("average (" + std::to_string(a.tasks.size()) + " tasks) " + a.method + " " + a.model +
                       (capsDiffer(r) ? " cap=" + std::to_string(a.trainCap) : ""));
    for (const auto& s : a.atCost) out << " & " << meanCi(s, true);
    out << " \\\\\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n";
  out << latexLearningRates(r);
  return out.str();
}

}  // namespace

std::string formatReport(const Report& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::Text: return text(report);
    case ReportFormat::Csv: return csv(report);
    case ReportFormat::Json: return json(report);
    case ReportFormat::Latex: return latex(report);
  }
  return "";
}

}  // namespace sweet::analysis
