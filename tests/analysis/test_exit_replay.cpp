// Tests for analysis/exit_policy: the three exit rules on a hand-worked run, the edge cases
// that matter (t = 1/K, t above every confidence, ties) and temperature scaling's effect.
#include "analysis/cost_model.h"
#include "analysis/exit_policy.h"
#include "analysis/exit_sweep.h"
#include "analysis/speed_accuracy_curve.h"
#include "run_file_fixture.h"

#include <QtTest>

#include <cmath>

using namespace sweet::analysis;

namespace {

// Four instances x exits after layers [1, 4, 6, 12], binary. P(positive) per exit:
//   inst0 [0.9, 0.6, 0.7, 0.8]   -> confidences [0.9, 0.6, 0.7, 0.8],   predictions 1 1 1 1
//   inst1 [0.3, 0.2, 0.55, 0.95] -> confidences [0.7, 0.8, 0.55, 0.95], predictions 0 0 1 1
//   inst2 [0.6, 0.65, 0.85, 0.4] -> confidences [0.6, 0.65, 0.85, 0.6], predictions 1 1 1 0
//   inst3 [0.45, 0.4, 0.3, 0.2]  -> confidences [0.55, 0.6, 0.7, 0.8],  predictions 0 0 0 0
// Labels [1, 1, 1, 0].
LogitSet handLogits() {
  return sweet::testing::logitSet(
      4, 2,
      sweet::testing::binaryLogitTable(
          {{0.9, 0.3, 0.6, 0.45}, {0.6, 0.2, 0.65, 0.4}, {0.7, 0.55, 0.85, 0.3}, {0.8, 0.95, 0.4, 0.2}}),
      {1, 1, 1, 0});
}

const CostModel kEe({1, 4, 6, 12}, CostKind::SharedBackbone);

std::vector<int32_t> exitsOf(const ExitAssignment& a) { return a.exitOf; }

}  // namespace

class ExitReplayTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void confidence_isMaxSoftmax() {
    ExitReplay replay(handLogits());
    QVERIFY(std::abs(replay.confidence(0, 0) - 0.9) < 1e-6);
    QVERIFY(std::abs(replay.confidence(1, 1) - 0.8) < 1e-6);
    QCOMPARE(replay.prediction(2, 1), 1);
    QCOMPARE(replay.prediction(3, 2), 0);
  }

  void assignConfidence_handCase_firstExitReachingThreshold() {
    ExitReplay replay(handLogits());
    const ExitAssignment& a = replay.assignConfidence(0.75);
    QCOMPARE(exitsOf(a), (std::vector<int32_t>{0, 1, 2, 3}));
    QCOMPARE(a.prediction, (std::vector<int32_t>{1, 0, 1, 0}));
    QCOMPARE(a.exitCounts, (std::vector<int64_t>{1, 1, 1, 1}));
    QCOMPARE(kEe.costFraction(a.exitCounts), 23.0 / 48.0);
    QCOMPARE(replay.score(a, Metric::Accuracy), 0.75);

    const ExitAssignment& b = replay.assignConfidence(0.62);
    QCOMPARE(exitsOf(b), (std::vector<int32_t>{0, 0, 1, 2}));
    QCOMPARE(b.exitCounts, (std::vector<int64_t>{2, 1, 1, 0}));
    QCOMPARE(kEe.costFraction(b.exitCounts), 0.25);
  }

  void assignConfidence_oneOverK_everyoneAtFirstExitWithExactCost() {
    ExitReplay replay(handLogits());
    const ExitAssignment& a = replay.assignConfidence(1.0 / 2);
    QCOMPARE(a.exitCounts, (std::vector<int64_t>{4, 0, 0, 0}));
    QCOMPARE(kEe.costFraction(a.exitCounts), 1.0 / 12.0);  // exact, not approximately
    QCOMPARE(replay.score(a, Metric::Accuracy), 0.75);
  }

  void assignConfidence_uniformLogits_stillLeaveAtOneOverK() {
    // All-equal logits give max softmax exactly 1/K, the hardest case for t = 1/K.
    LogitSet set = sweet::testing::logitSet(2, 3, {0.3f, 0.3f, 0.3f, 1.0f, 0.0f, 0.0f}, {0});
    ExitReplay replay(set);
    QVERIFY(replay.confidence(0, 0) >= 1.0 / 3);
    QCOMPARE(replay.assignConfidence(1.0 / 3).exitOf[0], 0);
    QCOMPARE(replay.normalizedEntropy(0, 0), 1.0);
  }

  void assignConfidence_aboveEveryConfidence_everyoneAtLastExit() {
    ExitReplay replay(handLogits());
    const ExitAssignment& a = replay.assignConfidence(0.96);
    QCOMPARE(a.exitCounts, (std::vector<int64_t>{0, 0, 0, 4}));
    QCOMPARE(kEe.costFraction(a.exitCounts), 1.0);
    // Last-exit predictions 1 1 0 0 against labels 1 1 1 0: inst2 is wrong.
    QCOMPARE(replay.score(a, Metric::Accuracy), 0.75);
    QCOMPARE(replay.assignConfidence(1.0).exitCounts, (std::vector<int64_t>{0, 0, 0, 4}));
  }

  void assignConfidence_thresholdEqualToConfidence_exits() {
    ExitReplay replay(handLogits());
    // Exactly at inst1's exit-1 confidence: ">=" means it leaves there.
    const double t = replay.confidence(1, 1);
    QCOMPARE(replay.assignConfidence(t).exitOf[1], 1);
    QCOMPARE(replay.assignConfidence(std::nextafter(t, 2.0)).exitOf[1], 3);
  }

  void assignConfidence_countsAlwaysSumToN() {
    ExitReplay replay(handLogits());
    for (double t = 0.4; t <= 1.01; t += 0.01) {
      const ExitAssignment& a = replay.assignConfidence(t);
      int64_t sum = 0;
      for (int64_t c : a.exitCounts) sum += c;
      QCOMPARE(sum, 4);
    }
  }

  void assignEntropy_binary_matchesConfidenceRule() {
    // For two classes entropy is a decreasing function of the max probability.
    ExitReplay replay(handLogits());
    const double h75 = -(0.75 * std::log(0.75) + 0.25 * std::log(0.25)) / std::log(2.0);
    QCOMPARE(exitsOf(replay.assignEntropy(h75)), (std::vector<int32_t>{0, 1, 2, 3}));
  }

  void assignEntropy_threeClasses_differsFromConfidence() {
    // Exit 0: p = (0.48, 0.48, 0.04): confidence 0.48, normalized entropy 0.7586.
    // Exit 1: p = (0.6, 0.2, 0.2):    confidence 0.6,  normalized entropy 0.8650.
    LogitSet set;
    set.exits = 2;
    set.instances = 1;
    set.classes = 3;
    for (double p : {0.48, 0.48, 0.04, 0.6, 0.2, 0.2}) set.logits.push_back(static_cast<float>(std::log(p)));
    set.labels = {0};
    ExitReplay replay(set);
    auto entropy = [](std::vector<double> p) {
      double h = 0;
      for (double q : p) h -= q * std::log(q);
      return h / std::log(3.0);
    };
    QVERIFY(std::abs(replay.normalizedEntropy(0, 0) - entropy({0.48, 0.48, 0.04})) < 1e-6);
    QVERIFY(std::abs(replay.normalizedEntropy(1, 0) - entropy({0.6, 0.2, 0.2})) < 1e-6);
    QCOMPARE(replay.assignEntropy(0.8).exitOf[0], 0);
    QCOMPARE(replay.assignConfidence(0.55).exitOf[0], 1);
  }

  void assignPatience_handCase() {
    ExitReplay replay(handLogits());
    QCOMPARE(replay.assignPatience(1).exitCounts, (std::vector<int64_t>{4, 0, 0, 0}));
    QCOMPARE(exitsOf(replay.assignPatience(2)), (std::vector<int32_t>{1, 1, 1, 1}));
    // k = 3: inst1's predictions 0 0 1 1 never agree three times: it falls back to the last.
    const ExitAssignment& a = replay.assignPatience(3);
    QCOMPARE(exitsOf(a), (std::vector<int32_t>{2, 3, 2, 2}));
    QCOMPARE(a.prediction, (std::vector<int32_t>{1, 1, 1, 0}));
    QCOMPARE(replay.score(a, Metric::Accuracy), 1.0);
    QCOMPARE(replay.assignPatience(5).exitCounts, (std::vector<int64_t>{0, 0, 0, 4}));
  }

  // LTE scores per instance over the four exits:
  //   inst0 [0.2, 0.9, 0.1, 0.3], inst1 [0.8, 0.1, 0.1, 0.1], inst2 [0.1, 0.2, 0.3, 0.4],
  //   inst3 [0.5, 0.5, 0.6, 0.0]. At t = 0.5: exits 1, 0, 3 (none reaches it), 0; their
  //   predictions 1, 0, 0, 0 against labels 1, 1, 1, 0: accuracy 1/2.
  void assignLearned_handCase_exitsOnScoresNotConfidences() {
    ExitReplay replay(handLogits());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, replay.assign(ExitRule::Learned, 0.5));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, replay.setLearnedScores({0.5f, 0.5f}));
    replay.setLearnedScores({0.2f, 0.8f, 0.1f, 0.5f, 0.9f, 0.1f, 0.2f, 0.5f, 0.1f, 0.1f, 0.3f, 0.6f, 0.3f, 0.1f, 0.4f, 0.0f});
    const ExitAssignment& a = replay.assign(ExitRule::Learned, 0.5);
    QCOMPARE(exitsOf(a), (std::vector<int32_t>{1, 0, 3, 0}));
    QCOMPARE(a.prediction, (std::vector<int32_t>{1, 0, 0, 0}));
    QCOMPARE(replay.score(a, Metric::Accuracy), 0.5);
    // The sweep and the exact curve run on the same events as for confidences.
    ExitSweep sweep(replay, ExitRule::Learned);
    sweep.seek(0.5);
    for (int64_t i = 0; i < 4; ++i) QCOMPARE(sweep.exitOf(i), a.exitOf[static_cast<size_t>(i)]);
    QCOMPARE(sweep.score(Metric::Accuracy), 0.5);
    const Curve curve = exactCurve(replay, kEe, Metric::Accuracy, ExitRule::Learned);
    QVERIFY(!curve.points.empty());
    QCOMPARE(exitRuleFromName("learned"), ExitRule::Learned);
  }

  void assignFixedExit_usesThatExitsPredictions() {
    ExitReplay replay(handLogits());
    const ExitAssignment& a = replay.assignFixedExit(1);
    QCOMPARE(a.prediction, (std::vector<int32_t>{1, 0, 1, 0}));
    QCOMPARE(a.exitCounts, (std::vector<int64_t>{0, 4, 0, 0}));
    QCOMPARE(kEe.costFraction(a.exitCounts), 4.0 / 12.0);
  }

  void temperature_changesExitsNotPredictions() {
    // T = 2 halves the logit gap: P = 0.9 (gap ln 9) becomes 1 / (1 + 1/3) = 0.75.
    ExitReplay plain(handLogits());
    ExitReplay scaled(handLogits(), {2, 2, 2, 2});
    QVERIFY(std::abs(scaled.confidence(0, 0) - 0.75) < 1e-6);
    for (int64_t e = 0; e < 4; ++e)
      for (int64_t i = 0; i < 4; ++i) QCOMPARE(scaled.prediction(e, i), plain.prediction(e, i));
    QCOMPARE(plain.assignConfidence(0.8).exitOf[0], 0);
    QCOMPARE(scaled.assignConfidence(0.8).exitOf[0], 3);
  }

  void constructor_nonFiniteLogit_isRefused() {
    LogitSet set = handLogits();
    set.logits[3] = std::nanf("");
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ExitReplay{set});
  }

  void events_movesEachInstanceThroughItsRecords() {
    // inst2: confidences 0.6, 0.65, 0.85, 0.6: records at exits 0, 1, 2, then the fallback
    // to exit 3 above 0.85. Its three events, in value order.
    ExitReplay replay(handLogits());
    std::vector<std::pair<double, int32_t>> moves;
    for (const ExitEvent& ev : replay.events(ExitRule::Confidence))
      if (ev.instance == 2) moves.push_back({ev.value, ev.to});
    QCOMPARE(moves.size(), size_t(3));
    QVERIFY(std::abs(moves[0].first - 0.6) < 1e-6 && moves[0].second == 1);
    QVERIFY(std::abs(moves[1].first - 0.65) < 1e-6 && moves[1].second == 2);
    QVERIFY(std::abs(moves[2].first - 0.85) < 1e-6 && moves[2].second == 3);
  }

  // t = 1 is the final classifier for the whole set even where a confidence rounds to 1:
  // logits (0, 50) give 1/(1 + e^−50), which is 1.0 in double.
  void assignConfidence_thresholdOne_everyoneAtLastExitEvenAtRoundedOne() {
    // [exit][instance][class]
    const LogitSet set = sweet::testing::logitSet(2, 2, {0, 50, 0, 1, 0, 50, 0, 2}, {1, 1});
    QCOMPARE(1.0 / (1.0 + std::exp(-50.0)), 1.0);  // the rounding this test is about
    ExitReplay replay(set);
    QVERIFY(replay.confidence(0, 0) < 1.0);
    QCOMPARE(replay.assignConfidence(1.0).exitCounts, (std::vector<int64_t>{0, 2}));
    QCOMPARE(replay.assignConfidence(0.5).exitCounts, (std::vector<int64_t>{2, 0}));
    // Entropy threshold 0 (nothing is that certain) is the same end; 1 is the other.
    QCOMPARE(replay.assignEntropy(0.0).exitCounts, (std::vector<int64_t>{0, 2}));
    QCOMPARE(replay.assignEntropy(1.0).exitCounts, (std::vector<int64_t>{2, 0}));
    // The exact sweep agrees: at t = 1 nobody has left early.
    const CostModel cost({6, 12}, CostKind::SharedBackbone);
    const Curve curve = exactCurve(replay, cost, Metric::Accuracy);
    QCOMPARE(curve.points.back().cost, 1.0);
    QVERIFY(curve.points.back().threshold <= 1.0);
  }

  void temperatures_perExitAndInstance() {
    // One exit, two instances with logits (0, 2); instance 0 scaled by T = 2, instance 1 by
    // T = 1: confidences σ(1) and σ(2).
    LogitSet set = sweet::testing::logitSet(1, 2, {0, 2, 0, 2}, {1, 0});
    ExitReplay replay(set, {2.0, 1.0});
    QVERIFY(std::abs(replay.confidence(0, 0) - 1 / (1 + std::exp(-1.0))) < 1e-12);
    QVERIFY(std::abs(replay.confidence(0, 1) - 1 / (1 + std::exp(-2.0))) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ExitReplay(set, {1.0, 1.0, 1.0}));
  }
};

QTEST_GUILESS_MAIN(ExitReplayTest)
#include "test_exit_replay.moc"
