// Seed statistics: which runs are repeats of one configuration with different seeds, and
// the mean, sample standard deviation and Student-t 95% confidence interval of any number
// measured on them. One seed gives a mean but no spread: that is stated, not faked as 0.
#pragma once

#include "run_data.h"
#include "speed_accuracy_curve.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sweet::analysis {

// Quantile of Student's t distribution with `dof` >= 1 degrees of freedom, p in (0, 1).
// Inverts the CDF (regularized incomplete beta) by bisection to ~1e-12.
double studentTQuantile(double p, int64_t dof);
// CDF of Student's t.
double studentTCdf(double t, int64_t dof);

struct SeedSummary {
  int64_t n = 0;
  double mean = 0;
  std::optional<double> std;        // sample std (n − 1); absent for n < 2
  std::optional<double> ciHalfWidth; // t_{0.975, n−1} · std / √n; absent for n < 2
  std::optional<double> ciLow() const { return ciHalfWidth ? std::optional<double>(mean - *ciHalfWidth) : std::nullopt; }
  std::optional<double> ciHigh() const { return ciHalfWidth ? std::optional<double>(mean + *ciHalfWidth) : std::nullopt; }
};

// Summary of values; `level` is the two-sided confidence level (0.95 for the paper).
SeedSummary summarize(const std::vector<double>& values, double level = 0.95);

// Summary of one value per seed where a seed may have none: nullopt then, since a mean over
// only the seeds that have one would lean towards them (e.g. a cost some seed's curve does
// not reach).
std::optional<SeedSummary> summarizeAll(const std::vector<std::optional<double>>& values, double level = 0.95);
// The score at a cost fraction over seeds, each seed's curve interpolated there (as the
// report's fixed-cost points are): summarizeAll of scoreAtCost.
std::optional<SeedSummary> seedSummaryAtCost(const std::vector<Curve>& seedCurves, double cost);

// Config keys that never make two runs different experiments: the seed, where output goes,
// thread count and whether the model is saved. Matched at any nesting depth.
const std::vector<std::string>& defaultIgnoredConfigKeys();

// The config with the ignored keys (and any extra ones) removed at every depth, dumped
// canonically (nlohmann sorts object keys): equal strings = same experiment.
std::string configFingerprint(const nlohmann::json& config, const std::vector<std::string>& extraIgnored = {});

// What identifies a run's checkpoint for pooling: the run file's model_identity (name and
// content hash) when recorded, else {"name": last component of config "model"}. Its path
// never counts: `sweet demo --out a` and `--out b` train from equal checkpoints.
nlohmann::json modelIdentityKey(const RunData& run);

// Groups run indices whose fingerprints match (config "model" replaced by
// modelIdentityKey), in order of first appearance.
std::vector<std::vector<size_t>> groupBySeed(const std::vector<RunData>& runs,
                                             const std::vector<std::string>& extraIgnored = {});

}  // namespace sweet::analysis
