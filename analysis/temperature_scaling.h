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
  // The default, a choice of this project (the paper does not say where it fits the
  // temperatures; its released code fits them on the dev set, i.e. Eval): fit without
  // touching the rows being scored, on the run's /calibration rows (held out of training,
  // beyond train_cap) when it has them, else by two-fold cross-fitting on the eval set.
  Calibration,
  Eval,  // fit on the evaluation set itself (the reference code's behaviour)
};

// What a calibration actually did (CalibrationSplit::Calibration resolves to one of the
// first two per run).
enum class CalibrationScheme {
  HeldOut,   // fitted on the run's held-out calibration rows, applied to the whole eval set
  CrossFit,  // eval set split in two folds: each fold scored with the other fold's temperatures
  Eval,      // fitted on the eval set and applied to it
};
const char* calibrationSchemeName(CalibrationScheme scheme);  // "held-out", "cross-fit", "eval"

// Two folds of an eval set for cross-fitting, stratified by label: the instances are
// visited in a Fisher-Yates permutation seeded with `seed` (mt19937_64, as the trainer's
// sample) and each label's instances alternate between fold 0 and fold 1. So each fold has
// half of every label (to within one) and the split is the same on every platform.
std::vector<int64_t> crossFitFolds(const std::vector<int64_t>& labels, uint64_t seed);

struct ExitCalibration {
  // The temperature applied to every eval instance (held-out, eval); for cross-fitting the
  // geometric mean of the two folds' temperatures, for display only.
  double temperature = 1;
  std::vector<double> foldTemperatures;  // cross-fit: [T fitted on fold 0, T fitted on fold 1]
  double nllBefore = 0, nllAfter = 0;  // on the eval set
  double eceBefore = 0, eceAfter = 0;  // on the eval set
};

struct CalibrationResult {
  CalibrationScheme scheme = CalibrationScheme::HeldOut;
  int64_t fittedInstances = 0;        // rows temperatures were fitted on (cross-fit: the eval set's)
  std::vector<int64_t> evalFold;      // cross-fit: [N] fold of each eval instance
  std::vector<ExitCalibration> exits;
  // What ExitReplay takes: one temperature per exit, or for cross-fitting one per exit and
  // eval instance ([E][N]: an instance in fold f gets the temperature fitted on fold 1 − f).
  std::vector<double> replayTemperatures() const;
};

// Fits every exit's temperature as `split` says and measures NLL / ECE on the eval set
// (after: with the temperatures each instance is actually scored with). Never throws for a
// run without a /calibration split: it cross-fits instead. Folds come from the run file's
// /calibration/eval_fold when recorded, else crossFitFolds(labels, run seed).
CalibrationResult calibrate(const RunData& run, CalibrationSplit split = CalibrationSplit::Calibration);

}  // namespace sweet::analysis
