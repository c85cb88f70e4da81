// Reliability diagrams (Guo et al., 2017, Fig. 1) per exit: the eval instances binned by
// the exit's confidence into equal-width bins, each bin's accuracy against its mean
// confidence, before and after temperature scaling. The expected calibration error is the
// instance-weighted gap between the two over the bins; temperature_scaling reports the
// ECE computed here, so the number under a diagram and in a table are one number.
#pragma once

#include "run_data.h"
#include "temperature_scaling.h"

#include <cstdint>
#include <vector>

namespace sweet::analysis {

struct ReliabilityBin {
  double lower = 0, upper = 0;  // confidences in (lower, upper]
  int64_t count = 0;
  double confidenceSum = 0;  // of the instances' top-class probabilities
  double correctSum = 0;     // instances whose top class is the gold label
  double meanConfidence() const;  // NaN for an empty bin
  double accuracy() const;        // NaN for an empty bin
};

struct ReliabilityDiagram {
  std::vector<ReliabilityBin> bins;
  int64_t instances = 0;
  double ece = 0;       // Σ_b (n_b / N)·|acc_b − conf_b|
  double accuracy = 0;  // of the exit's predictions (temperature does not change them)
};

// One exit's diagram with softmax(z / T). `temperatures` holds one temperature for every
// instance or one per instance (cross-fitting scores each fold with the other's).
ReliabilityDiagram reliabilityDiagram(const LogitSet& set, int64_t exit, const std::vector<double>& temperatures,
                                      int bins = kEceBins);

struct ExitReliability {
  int64_t exitLayer = 0;
  double temperature = 1;  // as ExitCalibration::temperature (cross-fit: the folds' geometric mean)
  ReliabilityDiagram before;  // T = 1
  ReliabilityDiagram after;   // the temperatures each instance is scored with
};

struct RunReliability {
  CalibrationScheme scheme = CalibrationScheme::HeldOut;
  std::vector<ExitReliability> exits;
};

// Every exit's diagrams for a classification run, temperatures fitted as calibrate() fits
// them; throws std::invalid_argument (naming the file) for a regression run.
RunReliability runReliability(const RunData& run, CalibrationSplit split = CalibrationSplit::Calibration, int bins = kEceBins);

}  // namespace sweet::analysis
