// Prints a Report as text, CSV, JSON or LaTeX (booktabs). Scores are shown x100 in text and
// LaTeX as GLUE papers do; CSV and JSON keep the raw fractions for further processing.
#include "report.h"

#include <nlohmann/json.hpp>

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

std::string text(const Report& r) {
  std::ostringstream out;
  size_t labelWidth = 24;
  for (const GroupReport& g : r.groups) labelWidth = std::max(labelWidth, g.label.size() + 2);
  out << "sweet report: " << r.groups.size() << " group(s); seeds pooled over " << r.grouping << ".\n"
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
  }
  if (!r.gaps.empty()) {
    out << "\nGaps per exit (points; each method at its chosen learning rate)\n";
    for (const MethodGap& gap : r.gaps) {
      out << pad("  " + gap.task + " " + gap.model + " " + gap.method + " − ee", labelWidth + 5);
      for (const auto& d : gap.perExit) out << pad(d ? fmt("%+.1f", 100 * *d) : "n/a", 16);
      out << "\n";
    }
  }

  out << "\nScore at fixed cost fractions (" << (r.exactCurve ? "exact curve" : "paper's 11-threshold sweep")
      << (r.calibrated ? ", temperature-scaled confidences" : "")
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
  }

  out << "\nLearning rates (AUC = mean score over the cost range [L_1/L_M, max], exact curve)\n";
  for (const LrSelection& s : r.learningRates) {
    out << "  " << s.task << " " << s.method << " " << s.model << ":";
    for (size_t c = 0; c < s.candidates.size(); ++c)
      out << (c ? " |" : "") << " lr=" << fmt("%g", s.candidates[c].learningRate) << " " << meanStd(s.candidates[c].auc)
          << " (n=" << s.candidates[c].auc.n << ")";
    out << "  -> chosen " << fmt("%g", s.chosenLearningRate()) << "\n";
  }

  if (r.calibrated) {
    out << "\nTemperature scaling (fitted on the "
        << (r.calibrationSplit == CalibrationSplit::Calibration ? "held-out calibration split" : "eval set")
        << "; NLL and ECE (15 bins) on the eval set, means over seeds)\n";
    for (const GroupReport& g : r.groups)
      for (size_t e = 0; e < g.calibration.size(); ++e) {
        const CalibrationSummary& c = g.calibration[e];
        out << pad("  " + g.label, labelWidth) << pad("L" + std::to_string(g.exitLayers[e]), 5)
            << "T=" << fmt("%.3f", c.temperature.mean) << "  NLL " << fmt("%.4f", c.nllBefore.mean) << " -> "
            << fmt("%.4f", c.nllAfter.mean) << "  ECE " << fmt("%.4f", c.eceBefore.mean) << " -> "
            << fmt("%.4f", c.eceAfter.mean) << "\n";
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
  out << "section,group,task,method,lr,model,metric,column,n,mean,std,ci_low,ci_high\n";
  auto row = [&](const std::string& section, const GroupReport* g, const std::string& task, const std::string& method,
                 const std::optional<double>& lr, const std::string& model, const std::string& column,
                 const std::optional<SeedSummary>& s, const std::optional<double>& value = std::nullopt) {
    out << section << "," << csvField(g ? g->label : "") << "," << csvField(task) << "," << method << ","
        << optionalNumber(lr) << "," << csvField(model) << "," << (g ? g->metric : "") << "," << csvField(column) << ","
        << (s ? std::to_string(s->n) : "") << "," << (s ? exact(s->mean) : optionalNumber(value)) << ","
        << (s ? optionalNumber(s->std) : "") << "," << (s ? optionalNumber(s->ciLow()) : "") << ","
        << (s ? optionalNumber(s->ciHigh()) : "") << "\n";
  };
  for (const GroupReport& g : r.groups) {
    for (size_t e = 0; e < g.perExit.size(); ++e)
      row("per_exit", &g, g.task, g.method, g.learningRate, g.model, "L" + std::to_string(g.exitLayers[e]), g.perExit[e]);
    for (size_t f = 0; f < g.costFractions.size(); ++f)
      row("at_cost", &g, g.task, g.method, g.learningRate, g.model, exact(g.costFractions[f]), g.atCost[f]);
    row("auc", &g, g.task, g.method, g.learningRate, g.model, "auc", g.auc);
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
                        {"groups", nlohmann::json::array()}, {"gaps_vs_ee", nlohmann::json::array()},
                        {"learning_rates", nlohmann::json::array()}, {"notes", r.notes}};
  for (const GroupReport& g : r.groups) {
    nlohmann::json j = {{"label", g.label}, {"task", g.task}, {"method", g.method}, {"model", g.model},
                        {"metric", g.metric}, {"learning_rate", g.learningRate ? nlohmann::json(*g.learningRate) : nullptr},
                        {"exit_layers", g.exitLayers}, {"seeds", g.seeds}, {"runs", g.runPaths},
                        {"per_exit", nlohmann::json::array()}, {"at_cost", nlohmann::json::array()},
                        {"auc", summaryJson(g.auc)}};
    for (const SeedSummary& s : g.perExit) j["per_exit"].push_back(summaryJson(s));
    for (size_t f = 0; f < g.costFractions.size(); ++f)
      j["at_cost"].push_back({{"cost_fraction", g.costFractions[f]}, {"speedup", 1 / g.costFractions[f]},
                              {"score", summaryJson(g.atCost[f])}});
    if (r.calibrated) {
      j["calibration"] = nlohmann::json::array();
      for (const CalibrationSummary& c : g.calibration)
        j["calibration"].push_back({{"temperature", summaryJson(c.temperature)}, {"nll_before", summaryJson(c.nllBefore)},
                                    {"nll_after", summaryJson(c.nllAfter)}, {"ece_before", summaryJson(c.eceBefore)},
                                    {"ece_after", summaryJson(c.eceAfter)}});
    }
    out["groups"].push_back(j);
  }
  for (const MethodGap& gap : r.gaps) {
    nlohmann::json per = nlohmann::json::array();
    for (const auto& d : gap.perExit) per.push_back(d ? nlohmann::json(*d) : nlohmann::json(nullptr));
    out["gaps_vs_ee"].push_back({{"task", gap.task}, {"model", gap.model}, {"method", gap.method}, {"per_exit", per}});
  }
  for (const LrSelection& s : r.learningRates) {
    nlohmann::json candidates = nlohmann::json::array();
    for (const LrCandidate& c : s.candidates) candidates.push_back({{"learning_rate", c.learningRate}, {"auc", summaryJson(c.auc)}});
    out["learning_rates"].push_back({{"task", s.task}, {"method", s.method}, {"model", s.model},
                                     {"chosen", s.chosenLearningRate()}, {"candidates", candidates}});
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

std::string latex(const Report& r) {
  std::ostringstream out;
  out << "% sweet report (needs \\usepackage{booktabs}); scores x100, mean $\\pm$ std over seeds\n";
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
  out << "\\bottomrule\n\\end{tabular}\n";
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
