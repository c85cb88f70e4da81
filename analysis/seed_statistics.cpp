// Seed statistics: see seed_statistics.h; CI formula in docs/formulas.md.
#include "seed_statistics.h"

#include "run_naming.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace sweet::analysis {

namespace {

// Continued fraction of the regularized incomplete beta (modified Lentz), valid and fast for
// x < (a + 1) / (a + b + 2); the caller uses the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
double betaContinuedFraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    c = 1 + num / c;
    if (std::abs(d) < tiny) d = tiny;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    if (std::abs(d) < tiny) d = tiny;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-15) break;
  }
  return h;
}

double regularizedIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return std::exp(logFront) * betaContinuedFraction(a, b, x) / a;
  return 1 - std::exp(logFront) * betaContinuedFraction(b, a, 1 - x) / b;
}

nlohmann::json withoutKeys(const nlohmann::json& value, const std::vector<std::string>& ignored) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      if (std::find(ignored.begin(), ignored.end(), it.key()) == ignored.end())
        out[it.key()] = withoutKeys(it.value(), ignored);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(withoutKeys(item, ignored));
    return out;
  }
  return value;
}

}  // namespace

double studentTCdf(double t, int64_t dof) {
  if (dof < 1) throw std::invalid_argument("studentTCdf: dof must be >= 1");
  const double v = static_cast<double>(dof);
  // P(|T| > |t|) = I_{v/(v+t²)}(v/2, 1/2).
  const double tail = 0.5 * regularizedIncompleteBeta(v / 2, 0.5, v / (v + t * t));
  return t >= 0 ? 1 - tail : tail;
}

double studentTQuantile(double p, int64_t dof) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("studentTQuantile: p must be in (0, 1)");
  if (dof < 1) throw std::invalid_argument("studentTQuantile: dof must be >= 1");
  if (p < 0.5) return -studentTQuantile(1 - p, dof);
  // The CDF is monotone: bisection is slow but unconditionally right, and this is called a
  // handful of times per report. t_{0.9999999,1} ≈ 3e6, so grow the bracket as needed.
  double lo = 0, hi = 1;
  while (studentTCdf(hi, dof) < p) hi *= 2;
  for (int iteration = 0; iteration < 200 && hi - lo > 1e-13 * std::max(1.0, hi); ++iteration) {
    const double mid = 0.5 * (lo + hi);
    (studentTCdf(mid, dof) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

SeedSummary summarize(const std::vector<double>& values, double level) {
  SeedSummary s;
  s.n = static_cast<int64_t>(values.size());
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) return s;
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(s.n - 1));
  s.ciHalfWidth = studentTQuantile(0.5 + level / 2, s.n - 1) * *s.std / std::sqrt(static_cast<double>(s.n));
  return s;
}

std::optional<SeedSummary> summarizeAll(const std::vector<std::optional<double>>& values, double level) {
  std::vector<double> present;
  for (const std::optional<double>& v : values) {
    if (!v) return std::nullopt;
    present.push_back(*v);
  }
  return summarize(present, level);
}

std::optional<SeedSummary> seedSummaryAtCost(const std::vector<Curve>& seedCurves, double cost) {
  std::vector<std::optional<double>> values;
  for (const Curve& curve : seedCurves) values.push_back(scoreAtCost(curve, cost));
  return summarizeAll(values);
}

const std::vector<std::string>& defaultIgnoredConfigKeys() {
  static const std::vector<std::string> keys = {
      "seed", "output", "output_dir", "output_path", "output_file", "out", "out_dir",
      "run_dir", "run_name", "run_file", "checkpoint_dir", "log_dir",
      // Neither changes the numbers (runs match across thread counts) nor the experiment.
      "threads", "save_model",
      // Whether a rerun may replace earlier outputs says nothing about the run itself.
      "overwrite"};
  return keys;
}

namespace {

std::vector<std::string> ignoredKeys(const std::vector<std::string>& extraIgnored) {
  std::vector<std::string> ignored = defaultIgnoredConfigKeys();
  ignored.insert(ignored.end(), extraIgnored.begin(), extraIgnored.end());
  return ignored;
}

}  // namespace

std::string configFingerprint(const nlohmann::json& config, const std::vector<std::string>& extraIgnored) {
  return withoutKeys(config, ignoredKeys(extraIgnored)).dump();
}

nlohmann::json modelIdentityKey(const RunData& run) {
  if (run.modelIdentity.is_object() && !run.modelIdentity.empty()) return run.modelIdentity;
  // Files from before the identity was recorded: the folder's name, never its path, so
  // copies of one checkpoint in different output folders still pool.
  if (!run.config.is_object() || !run.config.contains("model") || !run.config["model"].is_string()) return nullptr;
  return {{"name", modelFolderName(run.config["model"].get<std::string>())}};
}

std::vector<std::vector<size_t>> groupBySeed(const std::vector<RunData>& runs,
                                             const std::vector<std::string>& extraIgnored) {
  const std::vector<std::string> ignored = ignoredKeys(extraIgnored);
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> groupOf;
  for (size_t r = 0; r < runs.size(); ++r) {
    // The root attributes join the config so that files whose config omits them (hand-made
    // ones) still separate by method, task, depth and learning rate; ignoring a key such as
    // "learning_rate" drops it from both.
    nlohmann::json config = runs[r].config;
    if (config.is_object() && config.contains("model")) config["model"] = modelIdentityKey(runs[r]);
    nlohmann::json key = {{"config", config},
                          {"attributes", {{"method", runs[r].method},
                                          {"task", runs[r].task},
                                          {"exit_layers", runs[r].exitLayers},
                                          {"learning_rate", runs[r].learningRate}}}};
    auto [it, inserted] = groupOf.emplace(withoutKeys(key, ignored).dump(), groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(r);
  }
  return groups;
}

}  // namespace sweet::analysis
