// Early-exit inference on text: see text_inference.h.
#include "training/inference/text_inference.h"

#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "training/inference/inference_session.h"
#include "training/inference/learned_exiting.h"
#include "training/inference/rebatching_inference.h"
#include "training/runs/cuda_graph_support.h"
#include "training/text/delimited_table.h"

namespace sweet {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Every row of `set` through early exiting in batches of the request's size, batch by batch
// or re-batched; one InstanceExit per row, in row order.
std::vector<InstanceExit> runBatches(AdaptiveInference& engine, const InferenceSession& session, const EncodedSet& set,
                                     const TextInferenceRequest& r, const ExitTemperatures& temperatures) {
  const size_t n = set.encodings.size(), step = static_cast<size_t>(r.batch_size);
  std::vector<InstanceExit> out;
  RebatchingInference rebatching(engine, r.batch_size, r.threshold, temperatures);
  for (size_t begin = 0; begin < n; begin += step) {
    const size_t end = std::min(n, begin + step);
    std::vector<int64_t> rows;
    for (size_t i = begin; i < end; ++i) rows.push_back(static_cast<int64_t>(i));
    if (r.rebatch) {
      rebatching.push(makeBatch(session, set, begin, end), rows);
      continue;
    }
    const auto exits = engine.run(makeBatch(session, set, begin, end), rows, r.threshold, temperatures);
    out.insert(out.end(), exits.begin(), exits.end());
  }
  return r.rebatch ? rebatching.finish() : out;
}

}  // namespace

TextInferenceResult inferText(const TextInferenceRequest& r, const std::function<void(const std::string&)>& say) {
  checkThreshold(r.threshold, r.learned);
  if (r.batch_size < 1) throw std::runtime_error("--batch-size must be at least 1");
  if (r.text.empty() == r.tsv.empty()) throw std::runtime_error("give either --text or --tsv with --column");
  if (r.cuda_graphs) checkInferenceCudaGraphs(r.device, r.rebatch);
  std::vector<std::string> a, b;
  if (!r.tsv.empty()) {
    if (r.column.empty()) throw std::runtime_error("--tsv needs --column (the header name of the text column)");
    const DelimitedTable table = readDelimitedTable(r.tsv, /*has_header=*/true);
    const size_t ca = table.column(r.column);
    std::optional<size_t> cb;
    if (!r.column_b.empty()) cb = table.column(r.column_b);
    for (size_t i = 0; i < table.rows.size(); ++i) {
      const auto& row = table.rows[i];
      if (row.size() <= ca || (cb && row.size() <= *cb))
        throw std::runtime_error(r.tsv + ":" + std::to_string(table.line_numbers[i]) + ": row has " +
                                 std::to_string(row.size()) + " fields, fewer than the header's " +
                                 std::to_string(table.header.size()));
      a.push_back(row[ca]);
      if (cb) b.push_back(row[*cb]);
    }
    if (a.empty()) throw std::runtime_error(r.tsv + ": no data rows below the header");
  } else {
    a.push_back(r.text);
    if (!r.text_b.empty()) b.push_back(r.text_b);
  }

  const InferenceSession session = openInferenceSession(r.model_dir, r.run_file, r.device, r.threads, say, r.precision);
  TextInferenceResult result;
  const ExitTemperatures temperatures = sessionTemperatures(
      session, r.calibrate ? TemperatureUse::NewText : TemperatureUse::None, &result.temperature_note);
  result.method = session.model->method();
  result.exit_layers = session.model->exitLayers();
  const EncodedSet set = encodeTexts(session, a, b);
  result.learned = r.learned;
  AdaptiveInference engine(*session.model, r.learned ? learnedExitingHeads(session) : nullptr, session.precision);
  if (r.cuda_graphs) engine.enableCudaGraphs(session.config.isDeberta());
  if (r.learned) useLearnedScoreRule(engine, session, say);
  const std::vector<InstanceExit> exits = runBatches(engine, session, set, r, temperatures);
  for (size_t i = 0; i < exits.size(); ++i) {
    const InstanceExit& e = exits[i];
    result.predictions.push_back({static_cast<int64_t>(i), session.labelNames().at(static_cast<size_t>(e.prediction)),
                                  e.exit, result.exit_layers.at(static_cast<size_t>(e.exit)), e.confidence,
                                  e.lte_score});
  }
  return result;
}

void writePredictions(const std::string& path, const TextInferenceResult& result) {
  const bool jsonl = endsWith(path, ".jsonl");
  if (!jsonl && !endsWith(path, ".csv"))
    throw std::runtime_error(path + ": --out must end in .csv or .jsonl (the format follows the extension)");
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write (missing folder or no permission?)");
  if (!jsonl) out << "row,prediction,exit,exit_layer,confidence" << (result.learned ? ",lte_score" : "") << "\n";
  for (const Prediction& p : result.predictions) {
    if (jsonl) {
      nlohmann::json row{{"row", p.row}, {"prediction", p.label}, {"exit", p.exit + 1},
                         {"exit_layer", p.exit_layer}, {"confidence", p.confidence}};
      if (result.learned) row["lte_score"] = p.lte_score;
      out << row.dump() << "\n";
    } else {
      std::ostringstream confidence;
      confidence << std::setprecision(17) << p.confidence;
      if (result.learned) confidence << "," << p.lte_score;
      out << p.row << "," << csvField(p.label) << "," << p.exit + 1 << "," << p.exit_layer << "," << confidence.str()
          << "\n";
    }
  }
  out.flush();
  if (!out) throw std::runtime_error(path + ": write failed (disk full?)");
}

}  // namespace sweet
