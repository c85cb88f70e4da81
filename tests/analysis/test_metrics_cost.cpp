// Tests for analysis/metrics, analysis/exit_scores and analysis/cost_model against
// hand-computed values.
#include "analysis/cost_model.h"
#include "analysis/exit_scores.h"
#include "analysis/metrics.h"

#include <QtTest>

#include <cmath>

using namespace sweet::analysis;

namespace {

// Binary case: TP = 3, FN = 1, FP = 2, TN = 4.
ConfusionMatrix binaryCase() {
  ConfusionMatrix m(2);
  m.add(1, 1, 3);
  m.add(1, 0, 1);
  m.add(0, 1, 2);
  m.add(0, 0, 4);
  return m;
}

bool near(double a, double b) { return std::abs(a - b) < 1e-12; }

}  // namespace

class MetricsCostTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void accuracy_binary() { QCOMPARE(binaryCase().accuracy(), 0.7); }

  void f1_binary_positiveClass() {
    // 2·TP / (2·TP + FP + FN) = 6 / 9.
    QVERIFY(near(binaryCase().f1(), 6.0 / 9.0));
  }

  void matthews_binary() {
    // (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (12 − 2) / sqrt(5·4·6·5).
    QVERIFY(near(binaryCase().matthews(), 10.0 / std::sqrt(600.0)));
  }

  void matthews_threeClasses_gorodkin() {
    // Rows = truth: [[2,1,0],[0,2,1],[1,0,3]]; c = 7, s = 10, t = p = (3,3,4):
    // (7·10 − 34) / sqrt((100 − 34)(100 − 34)) = 36 / 66.
    ConfusionMatrix m(3);
    const int64_t counts[3][3] = {{2, 1, 0}, {0, 2, 1}, {1, 0, 3}};
    for (int64_t t = 0; t < 3; ++t)
      for (int64_t p = 0; p < 3; ++p) m.add(t, p, counts[t][p]);
    QVERIFY(near(m.matthews(), 36.0 / 66.0));
  }

  void matthews_constantPrediction_isZero() {
    ConfusionMatrix m(2);
    m.add(0, 1, 3);
    m.add(1, 1, 5);
    QCOMPARE(m.matthews(), 0.0);
  }

  void f1_noPositives_isZero() {
    ConfusionMatrix m(2);
    m.add(0, 0, 4);
    QCOMPARE(m.f1(), 0.0);
  }

  void score_byMetricName() {
    const std::vector<int64_t> labels = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    const std::vector<int32_t> preds = {1, 1, 1, 0, 1, 1, 0, 0, 0, 0};
    QCOMPARE(score(metricFromName("accuracy"), labels, preds, 2), 0.7);
    QVERIFY(near(score(metricFromName("f1"), labels, preds, 2), 6.0 / 9.0));
    QVERIFY(near(score(metricFromName("mcc"), labels, preds, 2), 10.0 / std::sqrt(600.0)));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, metricFromName("bleu"));
  }

  void pearson_handCase() {
    // x = {1,2,3}, y = {2,4,7}: centred sums Sxy = 5, Sxx = 2, Syy = 114/9, r = 15/sqrt(228).
    QVERIFY(near(pearson({1, 2, 3}, {2, 4, 7}), 15.0 / std::sqrt(228.0)));
    QVERIFY(near(pearson({1, 2, 3}, {6, 4, 2}), -1.0));
    QCOMPARE(pearson({1, 2, 3}, {4, 4, 4}), 0.0);  // constant series: undefined, 0
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pearson({1, 2}, {1, 2, 3}));
  }

  void averageRanks_tiesShareTheMeanRank() {
    const std::vector<double> ranks = averageRanks({5, 7, 7, 1});
    QCOMPARE(ranks, (std::vector<double>{2, 3.5, 3.5, 1}));
    QCOMPARE(averageRanks({2, 2, 2}), (std::vector<double>{2, 2, 2}));
  }

  void spearman_handCaseWithTies() {
    // Ranks x = {1,2,3,4}, y = {2,3.5,3.5,1}: Sxy = -1.5, Sxx = 5, Syy = 4.5, rho = -1/sqrt(10).
    QVERIFY(near(spearman({1, 2, 3, 4}, {10, 20, 20, 5}), -1.0 / std::sqrt(10.0)));
    // Monotone but not linear: Spearman 1, Pearson below 1.
    QVERIFY(near(spearman({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0));
    QVERIFY(pearson({1, 2, 3, 4}, {1, 8, 27, 64}) < 0.99);
  }

  void auroc_handCaseWithTie() {
    // Positives score {0.9, 0.5}, negatives {0.5, 0.1}: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5 -> 1/2,
    // 0.5>0.1) = 3.5 of 4.
    QCOMPARE(auroc({0.9, 0.5, 0.5, 0.1}, {true, true, false, false}), 3.5 / 4);
    QCOMPARE(auroc({0.1, 0.9}, {true, false}), 0.0);
    QCOMPARE(auroc({0.1, 0.9}, {true, true}), 0.5);  // one outcome only: undefined, 0.5
  }

  // Two exits, three instances, two classes; labels 1 0 1. Exit 1 predicts 1 1 0 (a tie
  // in the third row goes to class 0), exit 2 predicts 1 0 1.
  void exitScores_classification_argmaxPerExit() {
    const std::vector<float> logits = {0, 1, 0, 2, 3, 3,   // exit 1
                                       0, 5, 1, 0, 0, 1};  // exit 2
    const std::vector<int64_t> labels = {1, 0, 1};
    const auto accuracy = exitScores(logits, labels, {}, 2, 2, "accuracy");
    QCOMPARE(accuracy.size(), size_t(2));
    QVERIFY(near(accuracy[0], 1.0 / 3.0));
    QCOMPARE(accuracy[1], 1.0);
    // Exit 1: TP 1, FN 1, FP 1 -> F1 = 2 / 4.
    QCOMPARE(exitScores(logits, labels, {}, 2, 2, "f1")[0], 0.5);
    QCOMPARE(exitScores(logits, labels, {}, 2, 2, "mcc")[1], 1.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, exitScores(logits, {1, 0}, {}, 2, 2, "accuracy"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, exitScores(logits, labels, {}, 2, 2, "bleu"));
  }

  void exitScores_regression_correlationPerExit() {
    const std::vector<float> logits = {1, 2, 3, 4,   // exit 1: linear in the targets
                                       4, 3, 2, 1};  // exit 2: reversed
    const std::vector<float> targets = {0.5, 1, 1.5, 2};
    const auto r = exitScores(logits, {}, targets, 2, 1, "pearson");
    QVERIFY(near(r[0], 1.0) && near(r[1], -1.0));
    const auto rho = exitScores(logits, {}, targets, 2, 1, "spearman");
    QVERIFY(near(rho[0], 1.0) && near(rho[1], -1.0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, exitScores(logits, {}, targets, 2, 2, "pearson"));
  }

  void costFraction_sharedBackbone_handCase() {
    // Two instances at layer 1, one at 4, one at 6: (2·1 + 4 + 6) / (12·4) = 1/4.
    CostModel ee({1, 4, 6, 12}, CostKind::SharedBackbone);
    QCOMPARE(ee.costFraction({2, 1, 1, 0}), 0.25);
    QCOMPARE(CostModel::speedup(ee.costFraction({2, 1, 1, 0})), 4.0);
    QCOMPARE(ee.costFraction({7, 0, 0, 0}), 1.0 / 12.0);
    QCOMPARE(ee.costFraction({0, 0, 0, 3}), 1.0);
    QCOMPARE(ee.exitCost(2), 0.5);
  }

  void costFraction_cascade_paysEveryEarlierModel() {
    // Model i re-runs its own layers: 1, 1+4, 1+4+6, 1+4+6+12 = 23 layers for the last.
    CostModel mm = CostModel::forMethod("mm", {1, 4, 6, 12});
    QCOMPARE(mm.kind(), CostKind::Cascade);
    QCOMPARE(mm.costFraction({0, 0, 0, 5}), 23.0 / 12.0);
    QCOMPARE(mm.costFraction({1, 1, 1, 1}), 40.0 / 48.0);
    QCOMPARE(mm.maxCost(), 23.0 / 12.0);
    QCOMPARE(mm.minCost(), 1.0 / 12.0);
  }

  void forMethod_sweetIsSharedAndUnknownThrows() {
    QCOMPARE(CostModel::forMethod("sweet", {1, 12}).kind(), CostKind::SharedBackbone);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, CostModel::forMethod("xx", {1, 12}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, CostModel({4, 4}, CostKind::SharedBackbone));
  }

  void costFraction_exitsStopBeforeTheLastLayer_divideByTheBackbonesDepth() {
    // Exits [1, 4, 6] on a 12-layer backbone: everyone at exit 3 costs 6/12, not 6/6.
    CostModel ee = CostModel::forMethod("ee", {1, 4, 6}, 12);
    QCOMPARE(ee.fullDepth(), int64_t(12));
    QCOMPARE(ee.costFraction({0, 0, 5}), 0.5);
    QCOMPARE(ee.costFraction({1, 1, 0}), 5.0 / 24.0);
    // Cascade: 1 + 4 + 6 = 11 layers for the last model, 11/12.
    QCOMPARE(CostModel::forMethod("mm", {1, 4, 6}, 12).maxCost(), 11.0 / 12.0);
    QCOMPARE(CostModel({1, 4, 6}, CostKind::SharedBackbone).fullDepth(), int64_t(6));  // 0: the last exit
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, CostModel({1, 4, 6}, CostKind::SharedBackbone, 5));
  }
};

QTEST_GUILESS_MAIN(MetricsCostTest)
#include "test_metrics_cost.moc"
