// Benchmark of one-threshold exit replay (assignment + score + cost) and
// the full exact speed-accuracy curve on 400,000 instances x 4 exits, against a naive
// baseline that recomputes the softmax for every threshold, measured in the same run.
#include "analysis/cost_model.h"
#include "analysis/exit_policy.h"
#include "analysis/speed_accuracy_curve.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

using namespace sweet::analysis;

namespace {

double medianMs(int repeats, const std::function<void(int)>& body) {
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    body(r);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(ms.begin(), ms.begin() + static_cast<long>(ms.size() / 2), ms.end());
  return ms[ms.size() / 2];
}

// Later exits are more confident on average, as in a trained model.
LogitSet syntheticLogits(int64_t n, int64_t exits, int64_t classes) {
  std::mt19937 rng(1234);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::uniform_int_distribution<int64_t> label(0, classes - 1);
  LogitSet set;
  set.exits = exits;
  set.instances = n;
  set.classes = classes;
  set.labels.resize(static_cast<size_t>(n));
  for (auto& y : set.labels) y = label(rng);
  set.logits.resize(static_cast<size_t>(exits * n * classes));
  for (int64_t e = 0; e < exits; ++e)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < classes; ++k)
        set.logits[static_cast<size_t>((e * n + i) * classes + k)] =
            noise(rng) + (k == set.labels[static_cast<size_t>(i)] ? 0.8f * static_cast<float>(e + 1) : 0.0f);
  return set;
}

// What an analysis without precomputation does: softmax of each exit, in turn, per threshold.
double naiveReplay(const LogitSet& set, const CostModel& cost, double threshold, std::vector<int64_t>& counts) {
  std::fill(counts.begin(), counts.end(), 0);
  int64_t correct = 0;
  for (int64_t i = 0; i < set.instances; ++i) {
    int64_t e = 0;
    int64_t prediction = 0;
    for (;; ++e) {
      const float* z = set.row(e, i);
      int64_t best = 0;
      for (int64_t k = 1; k < set.classes; ++k)
        if (z[k] > z[best]) best = k;
      double sum = 0;
      for (int64_t k = 0; k < set.classes; ++k) sum += std::exp(static_cast<double>(z[k]) - z[best]);
      prediction = best;
      if (1.0 / sum >= threshold || e == set.exits - 1) break;
    }
    ++counts[static_cast<size_t>(e)];
    correct += prediction == set.labels[static_cast<size_t>(i)];
  }
  return cost.costFraction(counts) + static_cast<double>(correct) * 1e-12;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 400000;
  const int64_t exits = 4, classes = 2;
  std::printf("exit replay benchmark: %lld instances x %lld exits x %lld classes, one core\n",
              static_cast<long long>(n), static_cast<long long>(exits), static_cast<long long>(classes));
  const LogitSet logits = syntheticLogits(n, exits, classes);
  const CostModel cost({1, 4, 6, 12}, CostKind::SharedBackbone);

  const double buildMs = medianMs(5, [&](int) { ExitReplay replay(logits); });
  ExitReplay replay(logits);
  // Thresholds vary per repeat as in a drag; the sink keeps the work from being optimised out.
  double sink = 0;
  const double oneMs = medianMs(101, [&](int r) {
    const ExitAssignment& a = replay.assignConfidence(0.5 + 0.45 * r / 100.0);
    sink += cost.costFraction(a.exitCounts) + replay.score(a, Metric::Accuracy);
  });
  std::vector<int64_t> counts(static_cast<size_t>(exits));
  const double naiveMs = medianMs(21, [&](int r) { sink += naiveReplay(logits, cost, 0.5 + 0.45 * r / 20.0, counts); });
  double eventsMs = 0;
  {
    ExitReplay fresh(logits);
    auto start = std::chrono::steady_clock::now();
    fresh.events(ExitRule::Confidence);
    eventsMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  size_t points = 0;
  const double curveMs = medianMs(7, [&](int) {
    Curve curve = exactCurve(replay, cost, Metric::Accuracy);
    points = curve.points.size();
  });
  const double curveMccMs = medianMs(5, [&](int) { sink += exactCurve(replay, cost, Metric::Mcc).points.size(); });
  const double coldCurveMs = medianMs(3, [&](int) {
    ExitReplay fresh(logits);
    sink += exactCurve(fresh, cost, Metric::Accuracy).points.size();
  });

  std::printf("ExitReplay construction (softmax, entropy, argmax once): %8.2f ms\n", buildMs);
  std::printf("one threshold (assign + accuracy + cost), median:         %8.2f ms  (target < 16)\n", oneMs);
  std::printf("naive one threshold (softmax recomputed), median:         %8.2f ms  -> %.1fx slower\n", naiveMs, naiveMs / oneMs);
  std::printf("exit-event sort (first exact curve only):                 %8.2f ms\n", eventsMs);
  std::printf("exact curve, events cached, accuracy (%zu points):   %8.2f ms  (target < 200)\n", points, curveMs);
  std::printf("exact curve, events cached, MCC:                          %8.2f ms\n", curveMccMs);
  std::printf("exact curve from logits (construction + sort + sweep):    %8.2f ms\n", coldCurveMs);
  std::printf("(checksum %.3f)\n", sink);
  return 0;
}
