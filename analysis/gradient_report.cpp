// Printing of gradient-conflict matrices: see gradient_report.h.
#include "gradient_report.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace sweet::analysis {

namespace {

struct LayerView {
  int64_t layer;
  SimilarityMatrix cosine;
  CurrentVsFuture summary;
  std::optional<RawMeasures> raw;
  std::vector<float> norms;  // one record only
};

std::string cell(const std::optional<double>& v) {
  if (!v) return "undef";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", *v);
  return buffer;
}

nlohmann::json cellJson(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json matrixJson(const SimilarityMatrix& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t a = 0; a < m.exits; ++a) {
    nlohmann::json row = nlohmann::json::array();
    for (int64_t b = 0; b < m.exits; ++b) row.push_back(cellJson(m.at(a, b)));
    rows.push_back(row);
  }
  return rows;
}

void textMatrix(std::ostringstream& out, const std::string& title, const SimilarityMatrix& m, const std::vector<int64_t>& exitLayers) {
  out << "  " << title << "\n  " << std::string(10, ' ');
  for (int64_t l : exitLayers) out << "  exit@L" << l << std::string(l < 10 ? 2 : 1, ' ');
  out << "\n";
  for (int64_t a = 0; a < m.exits; ++a) {
    std::string head = "exit@L" + std::to_string(exitLayers[static_cast<size_t>(a)]);
    out << "  " << head << std::string(10 - std::min<size_t>(10, head.size()), ' ');
    for (int64_t b = 0; b < m.exits; ++b) {
      std::string c = cell(m.at(a, b));
      out << "  " << std::string(9 - std::min<size_t>(9, c.size()), ' ') << c;
    }
    out << "\n";
  }
}

}  // namespace

std::pair<int64_t, int64_t> parseStepWindow(const std::string& text) {
  const size_t colon = text.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no colon");
    size_t used = 0;
    const int64_t a = std::stoll(text.substr(0, colon), &used);
    if (used != colon) throw std::invalid_argument("junk");
    const std::string rest = text.substr(colon + 1);
    const int64_t b = std::stoll(rest, &used);
    if (used != rest.size()) throw std::invalid_argument("junk");
    if (a > b) throw std::invalid_argument("reversed");
    return {a, b};
  } catch (const std::exception&) {
    throw std::runtime_error("--window expects FIRST:LAST steps with FIRST <= LAST, got '" + text + "'");
  }
}

namespace {

// What is shown: one record (`record`) or the mean over a step window, in words.
struct GradientScope {
  std::optional<int64_t> record;
  std::string words;
};

GradientScope gradientScope(const GradientRecords& records, const GradientReportOptions& options) {
  if (!options.window) {
    const int64_t record = options.step ? recordAtStep(records, *options.step) : records.records() - 1;
    return {record, "step " + std::to_string(records.steps[static_cast<size_t>(record)])};
  }
  const auto [first, last] = *options.window;
  int64_t inWindow = 0;
  for (int64_t s : records.steps) inWindow += s >= first && s <= last;
  const std::string steps = std::to_string(first) + ":" + std::to_string(last);
  if (inWindow == 0) throw std::runtime_error(records.path + ": no gradient record in steps " + steps);
  return {std::nullopt, "mean over " + std::to_string(inWindow) + " record(s) in steps " + steps};
}

std::vector<LayerView> layerViews(const GradientRecords& records, const GradientReportOptions& options,
                                  const std::optional<int64_t>& record) {
  const int64_t E = records.exits();
  std::vector<LayerView> views;
  for (int64_t g = 0; g < records.layerCount(); ++g) {
    LayerView v{records.layers[static_cast<size_t>(g)], {}, {}, std::nullopt, {}};
    v.cosine = record ? similarityAt(records, *record, g)
                      : averageOverSteps(records, g, options.window->first, options.window->second);
    v.summary = currentVsFuture(v.cosine, v.layer, records.exitLayers);
    if (record && options.rawMeasures && records.hasRaw) v.raw = rawMeasures(records.path, *record, g);
    if (record && !records.norm.empty())
      v.norms.assign(records.norm.begin() + (*record * records.layerCount() + g) * E,
                     records.norm.begin() + (*record * records.layerCount() + g + 1) * E);
    views.push_back(std::move(v));
  }
  return views;
}

std::string gradientsJson(const GradientRecords& records, const GradientScope& scope, const std::string& probe,
                          const std::vector<LayerView>& views) {
  nlohmann::json j = {{"file", records.path}, {"scope", scope.words}, {"matrix", records.matrix}, {"exit_layers", records.exitLayers},
                      {"steps", records.steps}, {"probe", probe}, {"layers", nlohmann::json::array()}};
  if (scope.record) j["step"] = records.steps[static_cast<size_t>(*scope.record)];
  for (const LayerView& v : views) {
    nlohmann::json layer = {{"layer", v.layer}, {"row_averaged_cosine", matrixJson(v.cosine)},
                            {"current_exit", v.summary.currentExit}, {"current_vs_future", cellJson(v.summary.currentVsFuture)},
                            {"future_vs_future", cellJson(v.summary.futureVsFuture)}};
    if (!v.norms.empty()) layer["norm"] = v.norms;
    if (v.raw) {
      layer["flattened_cosine"] = matrixJson(v.raw->flattenedCosine);
      layer["negative_row_share"] = matrixJson(v.raw->negativeRowShare);
    }
    j["layers"].push_back(layer);
  }
  return j.dump(2) + "\n";
}

std::string gradientsCsv(const GradientRecords& records, const std::vector<LayerView>& views) {
  std::ostringstream out;
  out << "layer,measure,exit_a,exit_b,value\n";
  const int64_t E = records.exits();
  for (const LayerView& v : views) {
    auto dump = [&](const char* measure, const SimilarityMatrix& m) {
      for (int64_t a = 0; a < E; ++a)
        for (int64_t b = 0; b < E; ++b)
          out << v.layer << "," << measure << "," << records.exitLayers[static_cast<size_t>(a)] << ","
              << records.exitLayers[static_cast<size_t>(b)] << "," << cell(m.at(a, b)) << "\n";
    };
    dump("row_averaged_cosine", v.cosine);
    if (v.raw) {
      dump("flattened_cosine", v.raw->flattenedCosine);
      dump("negative_row_share", v.raw->negativeRowShare);
    }
  }
  return out.str();
}

std::string gradientsText(const GradientRecords& records, const GradientScope& scope, const std::string& probe,
                          const std::vector<LayerView>& views) {
  std::ostringstream out;
  out << records.path << ": gradient conflict of '" << records.matrix << "' (" << scope.words << "; " << probe << ")\n"
      << "Row-averaged cosine between exits' loss gradients; undef = a zero gradient (the exit does not reach "
         "the layer, or SWEET stops it)\n";
  for (const LayerView& v : views) {
    out << "\nlayer " << v.layer << "\n";
    textMatrix(out, "row-averaged cosine", v.cosine, records.exitLayers);
    if (v.summary.currentExit >= 0)
      out << "  current exit (L" << records.exitLayers[static_cast<size_t>(v.summary.currentExit)]
          << ") vs future exits: " << cell(v.summary.currentVsFuture)
          << "; future vs future: " << cell(v.summary.futureVsFuture) << "\n";
    if (!v.norms.empty()) {
      out << "  gradient norms:";
      for (float n : v.norms) out << " " << cell(n);
      out << "\n";
    }
    if (v.raw) {
      textMatrix(out, "cosine of the flattened matrices", v.raw->flattenedCosine, records.exitLayers);
      textMatrix(out, "share of rows with negative cosine", v.raw->negativeRowShare, records.exitLayers);
    }
  }
  return out.str();
}

}  // namespace

std::string formatGradients(const GradientRecords& records, const GradientReportOptions& options, ReportFormat format) {
  if (format == ReportFormat::Latex) throw std::runtime_error("sweet gradients prints text, csv or json");
  if (records.records() == 0) throw std::runtime_error(records.path + ": /gradients holds no records yet");
  const GradientScope scope = gradientScope(records, options);
  const std::vector<LayerView> views = layerViews(records, options, scope.record);
  // Which batch the gradients were taken on: the fixed probe, a fresh training batch per
  // record (dropout on), or the second fixed probe (Fig. 9).
  std::string probe = records.probeIndex == 2        ? "second fixed probe batch, dropout off"
                      : records.probe == "train_batch" ? "a fresh training batch per record, dropout on"
                                                       : "fixed probe batch, dropout off";
  if (records.probeIndex == 3) probe += "; the gradients after PCGrad's projection";
  if (format == ReportFormat::Json) return gradientsJson(records, scope, probe, views);
  if (format == ReportFormat::Csv) return gradientsCsv(records, views);
  return gradientsText(records, scope, probe, views);
}

}  // namespace sweet::analysis
