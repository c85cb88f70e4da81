// Gradient conflict analysis: see gradient_conflict.h; the row-averaged cosine is defined
// in docs/formulas.md exactly as training/runs/gradient_recorder.cpp computes it.
#include "gradient_conflict.h"

#include "hdf5_util.h"
#include "run_data.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sweet::analysis {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error(path + ": " + problem);
}

SimilarityMatrix emptyMatrix(int64_t exits) {
  SimilarityMatrix m;
  m.exits = exits;
  m.cells.assign(static_cast<size_t>(exits * exits), std::nullopt);
  m.samples.assign(static_cast<size_t>(exits * exits), 0);
  return m;
}

void requireLayer(const GradientRecords& records, int64_t layerIndex) {
  if (layerIndex < 0 || layerIndex >= records.layerCount())
    throw std::out_of_range(records.path + ": no recorded layer index " + std::to_string(layerIndex));
}

// Matches torch::cosine_similarity(a, b, dim=1, eps=1e-12) as the recorder calls it: a zero
// row in either matrix contributes cosine 0 to the mean instead of being skipped.
constexpr double kCosineEps = 1e-12;

}  // namespace

GradientRecords loadGradients(const std::string& path, int probe) {
  H5::H5File file = h5::openForReading(path);
  try {
    if (!h5::exists(file, "/gradients")) fail(path, "no /gradients group (the gradient recorder was off)");
    GradientRecords r;
    r.path = path;
    H5::Group root = file.openGroup("/");
    H5::Group group = file.openGroup("/gradients");
    for (const char* name : {"layers", "matrix", "rows", "cols"})
      if (!h5::hasAttr(group, name)) fail(path, std::string("/gradients lacks attribute '") + name + "'");
    if (!h5::hasAttr(root, "exit_layers")) fail(path, "missing root attribute 'exit_layers'");
    r.layers = h5::readInt64ArrayAttr(group, "layers");
    r.matrix = h5::readStringAttr(group, "matrix");
    r.rows = h5::readInt64Attr(group, "rows");
    r.cols = h5::readInt64Attr(group, "cols");
    r.dtype = h5::hasAttr(group, "dtype") ? h5::readStringAttr(group, "dtype") : "float32";
    r.probeSize = h5::hasAttr(group, "probe_size") ? h5::readInt64Attr(group, "probe_size") : 0;
    r.dropout = h5::hasAttr(group, "dropout") ? h5::readStringAttr(group, "dropout") : "";
    r.probe = h5::hasAttr(group, "probe") ? h5::readStringAttr(group, "probe") : "";
    if (probe != 1 && probe != 2 && probe != 3) fail(path, "probe must be 1, 2 or 3 (projected)");
    r.probeIndex = probe;
    const std::string prefix = probe == 2 ? "/gradients/probe2" : probe == 3 ? "/gradients/projected" : "/gradients";
    if (probe == 3 && !h5::exists(file, "/gradients/projected/cosine"))
      fail(path, "no projected gradients (only method pcgrad records them)");
    if (probe == 2) {
      if (!h5::exists(file, "/gradients/probe2/cosine")) fail(path, "no second probe (record with gradients.second_probe_size > 0)");
      r.probeSize = h5::hasAttr(group, "second_probe_size") ? h5::readInt64Attr(group, "second_probe_size") : 0;
      r.dropout = "off";
      r.probe = "fixed";
    }
    r.exitLayers = h5::readInt64ArrayAttr(root, "exit_layers");
    // The same identity checks as loadRun, so a foreign or newer file fails with a reason
    // rather than deep in a read.
    if (!h5::hasAttr(root, "format") || h5::readStringAttr(root, "format") != "sweet-run")
      fail(path, "not a sweet run file (format attribute is not 'sweet-run')");
    const int64_t version = h5::hasAttr(root, "format_version") ? h5::readInt64Attr(root, "format_version") : 0;
    if (version < 1 || version > kRunFormatVersion)
      fail(path, "format_version " + std::to_string(version) + " is not one this reader understands (1.." +
                     std::to_string(kRunFormatVersion) + ")");
    if (r.layers.empty() || r.exitLayers.empty()) fail(path, "/gradients records no layers or the run no exits");
    if (h5::exists(file, "/gradients/raw")) {
      // rows and cols size every buffer rawMeasures allocates: they must be the stored ones.
      const h5::Shape raw = h5::datasetShape(file, "/gradients/raw");
      if (raw.size() != 5 || raw[1] != r.layers.size() || raw[2] != r.exitLayers.size() ||
          static_cast<int64_t>(raw[3]) != r.rows || static_cast<int64_t>(raw[4]) != r.cols)
        fail(path, "/gradients attributes rows=" + std::to_string(r.rows) + ", cols=" + std::to_string(r.cols) +
                       " disagree with the shape of /gradients/raw");
    }
    for (const std::string& name : {std::string("/gradients/step"), prefix + "/cosine"})
      if (!h5::exists(file, name)) fail(path, "missing dataset " + name);
    r.steps = h5::readInt64(file, "/gradients/step");
    h5::Shape shape;
    r.cosine = h5::readFloat32(file, prefix + "/cosine", &shape);
    const int64_t E = r.exits(), G = r.layerCount();
    // A live file may have grown /step before /cosine: read the records both hold.
    if (shape.size() != 4 || static_cast<int64_t>(shape[1]) != G || static_cast<int64_t>(shape[2]) != E ||
        static_cast<int64_t>(shape[3]) != E)
      fail(path, prefix + "/cosine is not [records, layers, exits, exits]");
    const auto complete = std::min<int64_t>(r.records(), static_cast<int64_t>(shape[0]));
    r.steps.resize(static_cast<size_t>(complete));
    r.cosine.resize(static_cast<size_t>(complete * G * E * E));
    if (h5::exists(file, prefix + "/norm")) {
      r.norm = h5::readFloat32(file, prefix + "/norm", &shape);
      if (static_cast<int64_t>(r.norm.size()) >= complete * G * E) r.norm.resize(static_cast<size_t>(complete * G * E));
      else r.norm.clear();
    }
    r.hasRaw = probe == 1 && h5::exists(file, "/gradients/raw");
    return r;
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(path, "cannot read /gradients", e));
  }
}

SimilarityMatrix similarityAt(const GradientRecords& records, int64_t record, int64_t layerIndex) {
  requireLayer(records, layerIndex);
  if (record < 0 || record >= records.records()) throw std::out_of_range(records.path + ": no gradient record " + std::to_string(record));
  const int64_t E = records.exits();
  SimilarityMatrix m = emptyMatrix(E);
  const float* c = records.cosine.data() + (record * records.layerCount() + layerIndex) * E * E;
  for (int64_t j = 0; j < E * E; ++j)
    if (!std::isnan(c[j])) {
      m.cells[static_cast<size_t>(j)] = c[j];
      m.samples[static_cast<size_t>(j)] = 1;
    }
  return m;
}

SimilarityMatrix averageOverSteps(const GradientRecords& records, int64_t layerIndex, int64_t fromStep, int64_t toStep) {
  requireLayer(records, layerIndex);
  const int64_t E = records.exits();
  SimilarityMatrix m = emptyMatrix(E);
  std::vector<double> sum(static_cast<size_t>(E * E), 0);
  for (int64_t r = 0; r < records.records(); ++r) {
    const int64_t step = records.steps[static_cast<size_t>(r)];
    if (step < fromStep || step > toStep) continue;
    const float* c = records.cosine.data() + (r * records.layerCount() + layerIndex) * E * E;
    for (int64_t j = 0; j < E * E; ++j)
      if (!std::isnan(c[j])) {
        sum[static_cast<size_t>(j)] += c[j];
        ++m.samples[static_cast<size_t>(j)];
      }
  }
  for (size_t j = 0; j < sum.size(); ++j)
    if (m.samples[j] > 0) m.cells[j] = sum[j] / static_cast<double>(m.samples[j]);
  return m;
}

int64_t recordAtStep(const GradientRecords& records, int64_t step) {
  for (int64_t r = 0; r < records.records(); ++r)
    if (records.steps[static_cast<size_t>(r)] == step) return r;
  throw std::runtime_error(records.path + ": no gradient record at step " + std::to_string(step));
}

CurrentVsFuture currentVsFuture(const SimilarityMatrix& matrix, int64_t layer, const std::vector<int64_t>& exitLayers) {
  CurrentVsFuture out;
  out.layer = layer;
  for (size_t e = 0; e < exitLayers.size(); ++e)
    if (exitLayers[e] >= layer) {
      out.currentExit = static_cast<int64_t>(e);
      break;
    }
  if (out.currentExit < 0) return out;
  const int64_t E = matrix.exits;
  double sum = 0;
  int64_t count = 0;
  for (int64_t j = out.currentExit + 1; j < E; ++j) {
    if (const auto& c = matrix.at(out.currentExit, j)) {
      sum += *c;
      ++count;
    } else {
      ++out.undefinedPairs;
    }
  }
  if (count > 0) out.currentVsFuture = sum / static_cast<double>(count);
  sum = 0;
  count = 0;
  for (int64_t j = out.currentExit + 1; j < E; ++j)
    for (int64_t k = j + 1; k < E; ++k) {
      if (const auto& c = matrix.at(j, k)) {
        sum += *c;
        ++count;
      } else {
        ++out.undefinedPairs;
      }
    }
  if (count > 0) out.futureVsFuture = sum / static_cast<double>(count);
  return out;
}

RawMeasures rawMeasures(const std::vector<float>& raw, int64_t exits, int64_t rows, int64_t cols) {
  if (static_cast<int64_t>(raw.size()) != exits * rows * cols) throw std::invalid_argument("rawMeasures: raw is not [exits, rows, cols]");
  RawMeasures m{emptyMatrix(exits), emptyMatrix(exits), emptyMatrix(exits)};
  // Row norms and whole-matrix norms once per exit, in double.
  std::vector<double> rowNorm(static_cast<size_t>(exits * rows), 0), total(static_cast<size_t>(exits), 0);
  std::vector<char> nonZero(static_cast<size_t>(exits), 0);
  for (int64_t e = 0; e < exits; ++e)
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = raw.data() + (e * rows + r) * cols;
      double s = 0;
      for (int64_t c = 0; c < cols; ++c) {
        s += static_cast<double>(x[c]) * x[c];
        if (x[c] != 0) nonZero[static_cast<size_t>(e)] = 1;
      }
      rowNorm[static_cast<size_t>(e * rows + r)] = std::sqrt(s);
      total[static_cast<size_t>(e)] += s;
    }
  for (int64_t a = 0; a < exits; ++a)
    for (int64_t b = 0; b < exits; ++b) {
      if (!nonZero[static_cast<size_t>(a)] || !nonZero[static_cast<size_t>(b)]) continue;  // undefined
      double rowSum = 0, dotAll = 0;
      int64_t negative = 0;
      for (int64_t r = 0; r < rows; ++r) {
        const float* x = raw.data() + (a * rows + r) * cols;
        const float* y = raw.data() + (b * rows + r) * cols;
        double dot = 0;
        for (int64_t c = 0; c < cols; ++c) dot += static_cast<double>(x[c]) * y[c];
        dotAll += dot;
        const double cosine = dot / std::max(rowNorm[static_cast<size_t>(a * rows + r)] * rowNorm[static_cast<size_t>(b * rows + r)], kCosineEps);
        rowSum += cosine;
        negative += cosine < 0;
      }
      const size_t j = static_cast<size_t>(a * exits + b);
      m.rowAveragedCosine.cells[j] = rowSum / static_cast<double>(rows);
      m.flattenedCosine.cells[j] = dotAll / std::sqrt(total[static_cast<size_t>(a)] * total[static_cast<size_t>(b)]);
      m.negativeRowShare.cells[j] = static_cast<double>(negative) / static_cast<double>(rows);
      m.rowAveragedCosine.samples[j] = m.flattenedCosine.samples[j] = m.negativeRowShare.samples[j] = 1;
    }
  return m;
}

RawMeasures rawMeasures(const std::string& path, int64_t record, int64_t layerIndex) {
  const GradientRecords records = loadGradients(path);
  requireLayer(records, layerIndex);
  if (!records.hasRaw) throw std::runtime_error(path + ": no /gradients/raw to recompute from");
  if (record < 0 || record >= records.records()) throw std::out_of_range(path + ": no gradient record " + std::to_string(record));
  H5::H5File file = h5::openForReading(path);
  try {
    const int64_t E = records.exits();
    std::vector<float> raw = h5::readFloat32Slab(
        file, "/gradients/raw",
        {static_cast<hsize_t>(record), static_cast<hsize_t>(layerIndex), 0, 0, 0},
        {1, 1, static_cast<hsize_t>(E), static_cast<hsize_t>(records.rows), static_cast<hsize_t>(records.cols)});
    return rawMeasures(raw, E, records.rows, records.cols);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(path, "cannot read /gradients/raw", e));
  }
}

}  // namespace sweet::analysis
