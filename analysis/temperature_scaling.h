// Temperature scaling (Guo et al., 2017): one temperature per exit, fitted by minimising
// the negative log-likelihood, with NLL and ECE before and after. Scaling never changes an
// exit's prediction (argmax is scale-invariant) but it moves confidences, and with them the
// exit decisions of a confidence threshold: that is what the calibrated replay shows.
#pragma once

#include "run_data.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sweet::analysis {

inline constexpr int kEceBins = 15;

// Mean over instances of −log softmax(z_i / T)[y_i] for one exit of a logit set.
double negativeLogLikelihood(const LogitSet& set, int64_t exit, double temperature);
// Σ_b (n_b / N)·|acc_b − conf_b| over `bins` equal-width confidence bins (lo, hi].
double expectedCalibrationError(const LogitSet& set, int64_t exit, double temperature, int bins = kEceBins);
// The NLL-minimising temperature of one exit. NLL is convex in β = 1/T, so a safeguarded
// Newton iteration on β (bisection whenever a step leaves the bracket) converges to the
// exact minimiser. T is kept within [1e-3, 1e3]: at the bounds the data are separable or
// uninformative and the optimum lies at infinity.
double fitTemperature(const LogitSet& set, int64_t exit);

enum class CalibrationSplit {
  Calibration,  // the run's /calibration split, held out of training (the default)
  Eval,         // the evaluation set itself (what the reference code does)
};

struct ExitCalibration {
  double temperature = 1;
  double nllBefore = 0, nllAfter = 0;  // on the eval set
  double eceBefore = 0, eceAfter = 0;  // on the eval set
};

struct CalibrationResult {
  CalibrationSplit fittedOn = CalibrationSplit::Calibration;
  int64_t fittedInstances = 0;
  std::vector<ExitCalibration> exits;
  std::vector<double> temperatures() const;
};

// Fits every exit's temperature on the chosen split and measures NLL / ECE on the eval
// set. Throws std::runtime_error (naming the file) when the split is Calibration and the
// run has none.
CalibrationResult calibrate(const RunData& run, CalibrationSplit split = CalibrationSplit::Calibration);

}  // namespace sweet::analysis
