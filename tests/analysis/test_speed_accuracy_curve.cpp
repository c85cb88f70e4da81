// Tests for analysis/speed_accuracy_curve: the paper sweep, the exact curve against a
// brute-force replay at every breakpoint (with many ties), interpolation and AUC by hand.
#include "analysis/exit_sweep.h"
#include "analysis/speed_accuracy_curve.h"
#include "run_file_fixture.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace sweet::analysis;

namespace {

Curve handCurve() {
  Curve curve;
  curve.points = {{0.9, 0.1, 0.5}, {0.7, 0.5, 0.7}, {0.5, 1.0, 0.9}};
  return curve;
}

// Random logits rounded to multiples of 0.5 so that many confidences tie, within and
// across instances.
LogitSet tiedRandomLogits(int64_t n, int64_t exits, int64_t classes, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> step(-4, 4);
  std::uniform_int_distribution<int64_t> label(0, classes - 1);
  LogitSet set;
  set.exits = exits;
  set.instances = n;
  set.classes = classes;
  for (int64_t j = 0; j < exits * n * classes; ++j) set.logits.push_back(0.5f * static_cast<float>(step(rng)));
  for (int64_t i = 0; i < n; ++i) set.labels.push_back(label(rng));
  return set;
}

void compareWithBruteForce(ExitRule rule, Metric metric) {
  const LogitSet logits = tiedRandomLogits(300, 4, 3, 7);
  ExitReplay replay(logits);
  const CostModel cost({1, 4, 6, 12}, CostKind::SharedBackbone);
  const Curve curve = exactCurve(replay, cost, metric, rule);
  QVERIFY(curve.points.size() > 5);
  QCOMPARE(curve.points.front().cost, 1.0 / 12.0);
  QCOMPARE(curve.points.back().cost, 1.0);
  for (size_t j = 1; j < curve.points.size(); ++j)
    QVERIFY(curve.points[j].cost > curve.points[j - 1].cost);
  for (const CurvePoint& point : curve.points) {
    const ExitAssignment& a = replay.assign(rule, point.threshold);
    QCOMPARE(cost.costFraction(a.exitCounts), point.cost);
    QVERIFY(std::abs(replay.score(a, metric) - point.score) < 1e-12);
  }
}

}  // namespace

class SpeedAccuracyCurveTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // The marker's incremental state must equal a fresh replay at every threshold, whichever
  // way and however far it moves (ties included: the logits are on a 0.5 grid).
  void exitSweep_seekEqualsReplayBothWays_data() {
    QTest::addColumn<int>("rule");
    QTest::newRow("confidence") << static_cast<int>(ExitRule::Confidence);
    QTest::newRow("entropy") << static_cast<int>(ExitRule::Entropy);
  }
  void exitSweep_seekEqualsReplayBothWays() {
    QFETCH(int, rule);
    const auto r = static_cast<ExitRule>(rule);
    const LogitSet logits = tiedRandomLogits(400, 4, 3, 11);
    ExitReplay replay(logits), fresh(logits);
    ExitSweep sweep(replay, r);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> threshold(0.3, 1.0);
    std::vector<double> targets;
    for (int j = 0; j < 60; ++j) targets.push_back(threshold(rng));
    for (const CurvePoint& p : exactCurve(fresh, CostModel({1, 4, 6, 12}, CostKind::SharedBackbone), Metric::Accuracy, r).points)
      targets.push_back(p.threshold);  // exactly on the breakpoints, where ties sit
    for (double t : targets) {
      sweep.seek(t);
      const ExitAssignment& a = fresh.assign(r, t);
      QCOMPARE(sweep.exitCounts(), a.exitCounts);
      for (int64_t i = 0; i < replay.instances(); ++i) QCOMPARE(sweep.exitOf(i), a.exitOf[static_cast<size_t>(i)]);
      QVERIFY(std::abs(sweep.score(Metric::Accuracy) - fresh.score(a, Metric::Accuracy)) < 1e-12);
      QVERIFY(std::abs(sweep.score(Metric::Mcc) - fresh.score(a, Metric::Mcc)) < 1e-12);
    }
  }

  void paperThresholds_elevenFromOneOverKToOne() {
    const std::vector<double> two = paperThresholds(2);
    QCOMPARE(two.size(), size_t(11));
    QCOMPARE(two.front(), 0.5);
    QVERIFY(std::abs(two[1] - 0.55) < 1e-15);
    QVERIFY(std::abs(two[5] - 0.75) < 1e-15);
    QCOMPARE(two.back(), 1.0);
    const std::vector<double> three = paperThresholds(3);
    QCOMPARE(three.front(), 1.0 / 3.0);
    QVERIFY(std::abs(three[1] - (1.0 / 3.0 + 2.0 / 30.0)) < 1e-15);
  }

  void thresholdCurve_paperSweep_spansFirstExitToFullModel() {
    // Confidences strictly inside (1/2, 1): t = 1 sends all to the last exit.
    const LogitSet set = sweet::testing::logitSet(2, 2, {0, 1, 0, -2, 0, 3, 0, 0.5f}, {1, 0});
    ExitReplay replay(set);
    const CostModel cost({3, 12}, CostKind::SharedBackbone);
    const Curve curve = thresholdCurve(replay, cost, Metric::Accuracy, ExitRule::Confidence, paperThresholds(2));
    QCOMPARE(curve.points.size(), size_t(11));
    QCOMPARE(curve.points.front().threshold, 0.5);
    QCOMPARE(curve.points.front().cost, 0.25);  // exactly L_1 / L_M
    QCOMPARE(curve.points.front().score, 1.0);
    QCOMPARE(curve.points.back().cost, 1.0);
    QCOMPARE(curve.points.back().score, 0.5);
  }

  void exactCurve_confidenceAccuracy_matchesBruteForce() { compareWithBruteForce(ExitRule::Confidence, Metric::Accuracy); }
  void exactCurve_confidenceMcc_matchesBruteForce() { compareWithBruteForce(ExitRule::Confidence, Metric::Mcc); }
  void exactCurve_entropyF1_matchesBruteForce() { compareWithBruteForce(ExitRule::Entropy, Metric::F1); }

  void exactCurve_cascade_reachesTwentyThreeTwelfths() {
    const LogitSet logits = tiedRandomLogits(50, 4, 2, 3);
    ExitReplay replay(logits);
    const Curve curve = exactCurve(replay, CostModel({1, 4, 6, 12}, CostKind::Cascade), Metric::Accuracy);
    QCOMPARE(curve.points.back().cost, 23.0 / 12.0);
  }

  void scoreAtCost_interpolatesLinearly() {
    const Curve curve = handCurve();
    QVERIFY(std::abs(*scoreAtCost(curve, 0.3) - 0.6) < 1e-12);
    QVERIFY(std::abs(*scoreAtCost(curve, 0.75) - 0.8) < 1e-12);
    QCOMPARE(*scoreAtCost(curve, 0.5), 0.7);
    QCOMPARE(*scoreAtCost(curve, 0.1), 0.5);
    QCOMPARE(*scoreAtCost(curve, 1.0), 0.9);
  }

  void scoreAtCost_outsideCurve_isUnavailable() {
    QVERIFY(!scoreAtCost(handCurve(), 0.05).has_value());
    QVERIFY(!scoreAtCost(handCurve(), 1.1).has_value());
    QVERIFY(!scoreAtCost(Curve{}, 0.5).has_value());
  }

  void sharedCostRange_isWhereEveryCurveReaches() {
    Curve narrower;
    narrower.points = {{0.8, 0.25, 0.6}, {0.6, 0.75, 0.8}};
    const Curve hand = handCurve();
    const auto range = sharedCostRange({&hand, &narrower});
    QVERIFY(range.has_value());
    QCOMPARE(range->low, 0.25);
    QCOMPARE(range->high, 0.75);
    Curve apart;
    apart.points = {{0.9, 0.8, 0.5}, {0.5, 0.9, 0.6}};
    QVERIFY(!sharedCostRange({&narrower, &apart}).has_value());
    QVERIFY(!sharedCostRange({}).has_value());
  }

  void costGrid_evenlySpacedBothEndsIncluded() {
    const std::vector<double> grid = costGrid({0.1, 1.0});
    QCOMPARE(grid.size(), size_t(kCurveSamples));
    QCOMPARE(grid.front(), 0.1);
    QCOMPARE(grid.back(), 1.0);
    for (size_t i = 1; i < grid.size(); ++i) QVERIFY(std::abs(grid[i] - grid[i - 1] - 0.9 / (kCurveSamples - 1)) < 1e-12);
    QCOMPARE(costGrid({0.5, 0.5}), std::vector<double>{0.5});
    QCOMPARE(costGrid({0.0, 1.0}, 3), (std::vector<double>{0.0, 0.5, 1.0}));
    // Never past the end, whatever the rounding: every curve covering the range reaches it.
    for (double x : costGrid({1.0 / 12, 23.0 / 12})) QVERIFY(x <= 23.0 / 12);
  }

  void areaUnderCurve_trapezoids() {
    // [0.1, 1]: 0.4·(0.5 + 0.7)/2 + 0.5·(0.7 + 0.9)/2 = 0.24 + 0.4.
    QVERIFY(std::abs(*areaUnderCurve(handCurve(), 0.1, 1.0) - 0.64) < 1e-12);
    // Clipped [0.3, 0.75]: 0.2·(0.6 + 0.7)/2 + 0.25·(0.7 + 0.8)/2 = 0.13 + 0.1875.
    QVERIFY(std::abs(*areaUnderCurve(handCurve(), 0.3, 0.75) - 0.3175) < 1e-12);
    QVERIFY(!areaUnderCurve(handCurve(), 0.0, 1.0).has_value());
  }

  void fixedCostFractions_perDepthAndMethod() {
    QCOMPARE(fixedCostFractions(12, CostKind::SharedBackbone),
             (std::vector<double>{1.0 / 12, 0.25, 0.5, 0.75, 1.0}));
    QCOMPARE(fixedCostFractions(24, CostKind::SharedBackbone),
             (std::vector<double>{1.0 / 24, 1.0 / 12, 0.25, 0.5, 0.75, 1.0}));
    QCOMPARE(fixedCostFractions(12, CostKind::Cascade),
             (std::vector<double>{1.0 / 12, 0.25, 0.5, 0.75, 1.0, 1.375, 1.75}));
    QCOMPARE(fixedCostFractions(4, CostKind::SharedBackbone), (std::vector<double>{0.25, 0.5, 0.75, 1.0}));
  }
};

QTEST_GUILESS_MAIN(SpeedAccuracyCurveTest)
#include "test_speed_accuracy_curve.moc"
