// Gradient conflict between exits (Fig. 3/9 of the paper): the pairwise
// row-averaged cosine similarities the trainer stores under /gradients, per record,
// averaged over a step window, and summarised as "current exit vs future exits"; plus the
// alternative measures recomputed from the raw matrices (cosine of the flattened matrices,
// share of rows with negative cosine). Undefined cells (a zero gradient, e.g. a later exit
// at an earlier layer under SWEET) stay undefined and never enter an average.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis {

struct GradientRecords {
  std::string path;
  std::vector<int64_t> layers;      // [G] 1-based recorded layers
  std::string matrix;               // parameter-name suffix, e.g. output.dense.weight
  int64_t rows = 0, cols = 0;
  std::string dtype;                // float32 | float16
  int64_t probeSize = 0;
  std::string dropout;               // off (fixed probe) | on (each record on a training batch)
  std::string probe;                 // fixed | train_batch (empty in older files)
  // 1: /gradients, 2: the second fixed probe (/gradients/probe2), 3: the first probe's
  // gradients after PCGrad's surgery (/gradients/projected)
  int probeIndex = 1;
  std::vector<int64_t> exitLayers;  // [E] from the root attribute
  std::vector<int64_t> steps;       // [R]
  std::vector<float> cosine;        // [R, G, E, E], NaN = undefined
  std::vector<float> norm;          // [R, G, E]
  bool hasRaw = false;

  int64_t records() const { return static_cast<int64_t>(steps.size()); }
  int64_t layerCount() const { return static_cast<int64_t>(layers.size()); }
  int64_t exits() const { return static_cast<int64_t>(exitLayers.size()); }
};

// Reads /gradients (everything but the raw matrices). Throws std::runtime_error naming the
// file when there is no /gradients group or its shapes disagree. probe = 2 reads the
// records of the second probe batch (/gradients/probe2: cosines and norms, no raw
// matrices) for Fig. 9; probe = 3 those of a PCGrad run's projected gradients
// (/gradients/projected, on the first probe); throws when the run has none.
GradientRecords loadGradients(const std::string& path, int probe = 1);

// E x E cells; `samples` counts the records that defined each cell (1 for one record).
struct SimilarityMatrix {
  int64_t exits = 0;
  std::vector<std::optional<double>> cells;
  std::vector<int64_t> samples;
  const std::optional<double>& at(int64_t a, int64_t b) const { return cells[static_cast<size_t>(a * exits + b)]; }
};

// The stored matrix of one record and recorded-layer index g (0-based into `layers`).
SimilarityMatrix similarityAt(const GradientRecords& records, int64_t record, int64_t layerIndex);
// Cell-wise mean over the records whose step lies in [fromStep, toStep]; a cell is
// undefined when no record in the window defines it.
SimilarityMatrix averageOverSteps(const GradientRecords& records, int64_t layerIndex, int64_t fromStep, int64_t toStep);
// Index of the record with the given step; throws std::runtime_error when absent.
int64_t recordAtStep(const GradientRecords& records, int64_t step);

// The paper's reading of Fig. 3: at layer ℓ the "current" exit is the first exit at or
// above ℓ (the one ℓ precedes); its gradient is compared with every later ("future") exit.
struct CurrentVsFuture {
  int64_t layer = 0;
  int64_t currentExit = -1;                // 0-based; −1 when no exit sits at or above ℓ
  std::optional<double> currentVsFuture;   // mean over future exits j of cos(current, j)
  std::optional<double> futureVsFuture;    // mean over future pairs j < k of cos(j, k)
  int64_t undefinedPairs = 0;              // pairs left out because they are undefined
};
CurrentVsFuture currentVsFuture(const SimilarityMatrix& matrix, int64_t layer, const std::vector<int64_t>& exitLayers);

// Measures recomputed from raw gradients `raw` [E, rows, cols] (one record, one layer).
struct RawMeasures {
  SimilarityMatrix rowAveragedCosine;  // as the trainer stores it (must match /gradients/cosine)
  SimilarityMatrix flattenedCosine;    // cosine of the two whole matrices
  SimilarityMatrix negativeRowShare;   // fraction of rows whose cosine is < 0
};
RawMeasures rawMeasures(const std::vector<float>& raw, int64_t exits, int64_t rows, int64_t cols);
// Reads /gradients/raw[record, layerIndex] from the file and computes the measures.
RawMeasures rawMeasures(const std::string& path, int64_t record, int64_t layerIndex);

}  // namespace sweet::analysis
