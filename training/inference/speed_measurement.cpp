// Timing early exiting against the model without it: see speed_measurement.h.
#include "training/inference/speed_measurement.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "analysis/cost_model.h"
#include "analysis/lte_threshold_rule.h"
#include "analysis/metrics.h"
#include "analysis/speed_accuracy_curve.h"
#include "training/inference/learned_exiting.h"
#include "training/inference/rebatching_inference.h"
#include "training/runs/cuda_graph_support.h"
#include "training/runs/device.h"

namespace sweet {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string utcNow() {
  char when[32];
  std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return when;
}

// The dev set cut into padded batches once, before any clock starts: tokenising and
// padding are the same work with or without exits, and are not what is measured.
struct Batches {
  std::vector<ModelInput> inputs;
  std::vector<std::vector<int64_t>> instances;  // dev-set index of each row
};

Batches cutBatches(const InferenceSession& s, const EncodedSet& set, int64_t batchSize) {
  Batches b;
  const size_t n = set.encodings.size(), step = static_cast<size_t>(batchSize);
  for (size_t begin = 0; begin < n; begin += step) {
    const size_t end = std::min(n, begin + step);
    b.inputs.push_back(makeBatch(s, set, begin, end));
    std::vector<int64_t> rows;
    for (size_t i = begin; i < end; ++i) rows.push_back(static_cast<int64_t>(i));
    b.instances.push_back(std::move(rows));
  }
  return b;
}

// One pass over the dev set: every instance's exit, and the wall-clock seconds. The last
// call of each batch copies logits to the host, so on CUDA the clock stops after the work.
template <typename RunBatch>
double timedPass(const Batches& batches, std::vector<InstanceExit>& exits, RunBatch&& runBatch) {
  const auto start = std::chrono::steady_clock::now();
  for (size_t b = 0; b < batches.inputs.size(); ++b) {
    std::vector<InstanceExit> got = runBatch(batches.inputs[b], batches.instances[b]);
    for (size_t r = 0; r < got.size(); ++r) exits[static_cast<size_t>(batches.instances[b][r])] = got[r];
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One early-exit pass at `threshold`: batch by batch, or every batch pushed through one
// re-batching engine, whose last partial batches run when it is flushed (inside the clock).
double exitingPass(const Batches& batches, int64_t batchSize, bool rebatch, AdaptiveInference& engine,
                   double threshold, const ExitTemperatures& temperatures, std::vector<InstanceExit>& exits,
                   InferenceProfile* profile) {
  if (!rebatch)
    return timedPass(batches, exits, [&](const ModelInput& in, const std::vector<int64_t>& rows) {
      return engine.run(in, rows, threshold, temperatures, profile);
    });
  const auto start = std::chrono::steady_clock::now();
  RebatchingInference rebatching(engine, batchSize, threshold, temperatures, profile);
  for (size_t b = 0; b < batches.inputs.size(); ++b) rebatching.push(batches.inputs[b], batches.instances[b]);
  const std::vector<InstanceExit> got = rebatching.finish();  // in push order
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t next = 0;
  for (const auto& rows : batches.instances)
    for (int64_t instance : rows) exits[static_cast<size_t>(instance)] = got[next++];
  return seconds;
}

double scoreOf(const std::vector<InstanceExit>& exits, const std::vector<int64_t>& labels, analysis::Metric metric,
               int64_t classes) {
  std::vector<int32_t> predictions;
  for (const InstanceExit& e : exits) predictions.push_back(e.prediction);
  return analysis::score(metric, labels, predictions, classes);
}

}  // namespace

std::vector<double> defaultSpeedThresholds(int64_t numLabels) {
  const std::vector<double> paper = analysis::paperThresholds(numLabels);
  std::vector<double> out;
  for (size_t i = 0; i < paper.size(); i += 2) out.push_back(paper[i]);
  if (out.back() != paper.back()) out.push_back(paper.back());
  return out;
}

namespace {

// What every batch size is measured with: the dev set, the thresholds, the temperatures.
struct SpeedSetup {
  const InferenceSession& s;
  const SpeedRequest& request;
  std::vector<double> thresholds;  // ascending
  EncodedSet set;
  ExitTemperatures temperatures;
  analysis::CostModel cost;
  analysis::Metric metric;
  int64_t instances() const { return static_cast<int64_t>(set.labels.size()); }
};

analysis::SpeedMeasurement emptyMeasurement(const SpeedSetup& u, int64_t batchSize) {
  analysis::SpeedMeasurement m;
  m.device = u.s.device.str();
  m.batchSize = batchSize;
  m.threads = at::get_num_threads();
  m.rebatch = u.request.rebatch;
  m.learned = u.request.learned;
  // fp32 keeps the name it always had; another precision gets its own group beside it
  // (cuda_0-bf16-b32-t16) rather than replacing the fp32 one.
  const std::string precision = u.s.precision == Precision::Fp32 ? "" : "-" + precisionName(u.s.precision);
  const std::string graphs = u.request.cuda_graphs && batchSize == 1 ? "-graphs" : "";
  m.name = analysis::speedGroupName(m.device + precision + graphs, batchSize, m.threads, m.rebatch, m.learned);
  m.repeats = u.request.repeats;
  m.warmup = u.request.warmup;
  m.instances = u.instances();
  m.calibrated = !u.temperatures.per_exit.empty() || !u.temperatures.per_instance.empty();
  m.metric = u.s.run->metric;
  m.measuredAt = utcNow();
  m.libtorchVersion = libtorchVersion();
  return m;
}

// One threshold's point from its timed passes; its stage profile comes from a separate
// pass with a clock around every stage (the syncs it adds on CUDA would distort the timed
// passes).
analysis::SpeedPoint speedPoint(const SpeedSetup& u, AdaptiveInference& engine, const Batches& batches,
                                int64_t batchSize, size_t p,
                                const std::vector<InstanceExit>& exits, const std::vector<double>& times,
                                double baselineSeconds) {
  const analysis::RunData& run = *u.s.run;
  analysis::SpeedPoint point;
  point.threshold = u.thresholds[p];
  point.exitCounts.assign(static_cast<size_t>(run.exits()), 0);
  for (const InstanceExit& e : exits) ++point.exitCounts[static_cast<size_t>(e.exit)];
  point.layerSpeedup = analysis::CostModel::speedup(u.cost.costFraction(point.exitCounts));
  point.seconds = median(times);
  point.measuredSpeedup = baselineSeconds / point.seconds;
  point.instancesPerSecond = static_cast<double>(u.instances()) / point.seconds;
  point.score = scoreOf(exits, u.set.labels, u.metric, run.numLabels);
  InferenceProfile profile;
  std::vector<InstanceExit> scratch(static_cast<size_t>(u.instances()));
  exitingPass(batches, batchSize, u.request.rebatch, engine, u.thresholds[p], u.temperatures, scratch, &profile);
  point.stages = {profile.embeddings, profile.layers, profile.heads, profile.decisions, profile.compaction};
  return point;
}

// Warmup, then timed repeats that interleave the pass without exiting and one pass per
// threshold, so drifts in machine speed hit both alike.
analysis::SpeedMeasurement measureBatchSize(const SpeedSetup& u, AdaptiveInference& engine, int64_t batchSize) {
  const Batches batches = cutBatches(u.s, u.set, batchSize);
  analysis::SpeedMeasurement m = emptyMeasurement(u, batchSize);
  const auto N = static_cast<size_t>(u.instances());
  std::vector<InstanceExit> baselineExits(N);
  std::vector<std::vector<InstanceExit>> exits(u.thresholds.size(), std::vector<InstanceExit>(N));
  std::vector<double> baselineTimes;
  std::vector<std::vector<double>> times(u.thresholds.size());
  for (int64_t r = 0; r < u.request.warmup + u.request.repeats; ++r) {
    const bool timed = r >= u.request.warmup;
    const double tb = timedPass(batches, baselineExits, [&](const ModelInput& in, const std::vector<int64_t>& rows) {
      return engine.runWithoutExiting(in, rows, u.temperatures);
    });
    if (timed) baselineTimes.push_back(tb);
    for (size_t p = 0; p < u.thresholds.size(); ++p) {
      const double t = exitingPass(batches, batchSize, u.request.rebatch, engine, u.thresholds[p], u.temperatures,
                                   exits[p], nullptr);
      if (timed) times[p].push_back(t);
    }
  }
  m.baselineSeconds = median(baselineTimes);
  m.baselineScore = scoreOf(baselineExits, u.set.labels, u.metric, u.s.run->numLabels);
  for (size_t p = 0; p < u.thresholds.size(); ++p)
    m.points.push_back(speedPoint(u, engine, batches, batchSize, p, exits[p], times[p], m.baselineSeconds));
  return m;
}

// Learned exiting's default sweep: every other value of the minmax rule's 0, 0.1, ..., 1
// from 0.1 (a score threshold of 0 is no threshold), and 1.
std::vector<double> defaultLearnedThresholds() {
  const std::vector<double> sweep = analysis::minmaxThresholds();
  std::vector<double> out;
  for (size_t i = 1; i < sweep.size(); i += 2) out.push_back(sweep[i]);
  if (out.back() != sweep.back()) out.push_back(sweep.back());
  return out;
}

std::vector<double> checkedThresholds(const SpeedRequest& request, int64_t numLabels) {
  if (request.repeats < 1 || request.warmup < 0) throw std::runtime_error("--repeats must be >= 1 and --warmup >= 0");
  std::vector<double> thresholds = !request.thresholds.empty() ? request.thresholds
                                   : request.learned           ? defaultLearnedThresholds()
                                                               : defaultSpeedThresholds(numLabels);
  for (double t : thresholds) checkThreshold(t, request.learned);
  std::sort(thresholds.begin(), thresholds.end());
  for (int64_t b : request.batch_sizes)
    if (b < 1) throw std::runtime_error("batch size " + std::to_string(b) + " must be at least 1");
  return thresholds;
}

}  // namespace

std::vector<analysis::SpeedMeasurement> measureSpeed(const InferenceSession& s, const SpeedRequest& request,
                                                     const std::function<void(const std::string&)>& say) {
  if (!s.run || !s.run->evalDone)
    throw std::runtime_error(s.model_dir + ": measuring needs the finished run file the model came from (its dev "
                                           "set, metric and exits); pass --run RUN.h5");
  if (request.cuda_graphs) checkInferenceCudaGraphs(s.device.str(), request.rebatch);
  const analysis::RunData& run = *s.run;
  std::vector<double> thresholds = checkedThresholds(request, run.numLabels);
  EncodedSet set = encodeDevSet(s, say);
  if (request.max_instances > 0 && static_cast<int64_t>(set.labels.size()) > request.max_instances) {
    set.encodings.resize(static_cast<size_t>(request.max_instances));
    set.labels.resize(static_cast<size_t>(request.max_instances));
  }
  if (set.labels.empty()) throw std::runtime_error(s.run_file + ": the dev set is empty: nothing to measure");
  std::string temperatureNote;
  ExitTemperatures temperatures =
      sessionTemperatures(s, request.calibrate ? TemperatureUse::DevSet : TemperatureUse::None, &temperatureNote);
  say(temperatureNote);
  const SpeedSetup setup{s,
                         request,
                         std::move(thresholds),
                         std::move(set),
                         std::move(temperatures),
                         analysis::CostModel::forMethod(run.method, run.exitLayers, run.numLayers),
                         analysis::metricFromName(run.metric)};
  AdaptiveInference engine(*s.model, request.learned ? learnedExitingHeads(s) : nullptr, s.precision);
  if (request.cuda_graphs) engine.enableCudaGraphs(s.config.isDeberta());
  if (request.learned) useLearnedScoreRule(engine, s, say);
  std::vector<analysis::SpeedMeasurement> out;
  for (int64_t batchSize : request.batch_sizes) {
    say("batch " + std::to_string(batchSize) + ": " + std::to_string(setup.instances()) + " instances, " +
        std::to_string(setup.thresholds.size()) + " thresholds, " + std::to_string(at::get_num_threads()) +
        " thread(s) on " + s.device.str() + " in " + precisionName(s.precision));
    out.push_back(measureBatchSize(setup, engine, batchSize));
  }
  return out;
}

}  // namespace sweet
