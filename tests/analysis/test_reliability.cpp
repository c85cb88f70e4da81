// Tests for analysis/reliability: bins, accuracies and ECE against values worked out by
// hand, per-instance temperatures, and a run's diagrams matching its calibration.
#include "analysis/reliability.h"
#include "run_file_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace sweet::analysis;

namespace {

// Four binary instances, logits chosen so the confidences are simple fractions:
//   0: (0, ln 3)       label 1: predicts 1 with σ(ln 3) = 3/4, right
//   1: (0, ln 3)       label 0: predicts 1 with 3/4, wrong
//   2: (ln 17, 0)      label 0: predicts 0 with 17/18, right
//   3: (0, ln 13/7)    label 0: predicts 1 with 13/20, wrong
LogitSet handSet() {
  const auto l = [](double x) { return static_cast<float>(std::log(x)); };
  return sweet::testing::logitSet(1, 2, {0, l(3), 0, l(3), l(17), 0, 0, l(13.0 / 7)}, {1, 0, 0, 0});
}

bool near(double a, double b, double tol = 1e-6) { return std::abs(a - b) < tol; }

}  // namespace

class ReliabilityTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void diagram_binsAndEceByHand() {
    // Ten bins (b/10, (b+1)/10]: 3/4 → bin 7 (two instances, one right), 17/18 → bin 9
    // (right), 13/20 → bin 6 (wrong). ECE = 2/4·|1/2 − 3/4| + 1/4·|1 − 17/18| + 1/4·|0 − 13/20|
    //                                   = 0.125 + 0.013889 + 0.1625 = 0.301389.
    const ReliabilityDiagram d = reliabilityDiagram(handSet(), 0, {1.0}, 10);
    QCOMPARE(d.bins.size(), size_t(10));
    QCOMPARE(d.instances, int64_t(4));
    QCOMPARE(d.bins[7].count, int64_t(2));
    QVERIFY(near(d.bins[7].meanConfidence(), 0.75));
    QVERIFY(near(d.bins[7].accuracy(), 0.5));
    QCOMPARE(d.bins[9].count, int64_t(1));
    QVERIFY(near(d.bins[9].meanConfidence(), 17.0 / 18));
    QVERIFY(near(d.bins[9].accuracy(), 1.0));
    QCOMPARE(d.bins[6].count, int64_t(1));
    QVERIFY(near(d.bins[6].accuracy(), 0.0));
    QVERIFY(std::isnan(d.bins[0].accuracy()) && std::isnan(d.bins[0].meanConfidence()));
    QVERIFY(near(d.bins[6].lower, 0.6) && near(d.bins[6].upper, 0.7));
    QVERIFY(near(d.ece, 0.301389));
    QVERIFY(near(d.accuracy, 0.5));
    QCOMPARE(expectedCalibrationError(handSet(), 0, 1.0, 10), d.ece);  // the table's number is this one
  }

  void diagram_temperatureSoftensConfidences() {
    // T = 2: σ(ln 3 / 2) = √3/(1+√3) = 0.633975 → bin 6; √17/(1+√17) = 0.804806 → bin 8;
    // √(13/7)/(1+√(13/7)) = 0.576766 → bin 5. ECE = 2/4·|1/2 − 0.633975| + 1/4·|1 − 0.804806|
    // + 1/4·0.576766 = 0.066987 + 0.048798 + 0.144192 = 0.259977. Predictions do not move.
    const ReliabilityDiagram d = reliabilityDiagram(handSet(), 0, {2.0}, 10);
    QCOMPARE(d.bins[6].count, int64_t(2));
    QCOMPARE(d.bins[8].count, int64_t(1));
    QCOMPARE(d.bins[5].count, int64_t(1));
    QVERIFY(near(d.bins[8].meanConfidence(), 0.804806));
    QVERIFY(near(d.ece, 0.259977));
    QVERIFY(near(d.accuracy, 0.5));
  }

  void diagram_perInstanceTemperatures() {
    // Instances 0, 1 at T = 1 (bin 7 as above), 2, 3 at T = 2 (bins 8 and 5):
    // ECE = 0.125 + 0.048798 + 0.144192 = 0.317990.
    const ReliabilityDiagram d = reliabilityDiagram(handSet(), 0, {1.0, 1.0, 2.0, 2.0}, 10);
    QCOMPARE(d.bins[7].count, int64_t(2));
    QCOMPARE(d.bins[8].count, int64_t(1));
    QCOMPARE(d.bins[5].count, int64_t(1));
    QVERIFY(near(d.ece, 0.317990));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, reliabilityDiagram(handSet(), 0, {1.0, 2.0}, 10));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, reliabilityDiagram(handSet(), 1, {1.0}, 10));
  }

  void runReliability_matchesTheRunsCalibration() {
    QTemporaryDir dir;
    sweet::testing::FakeRun fake;
    fake.exitLayers = {2, 4};
    // Overconfident exits: 80% right at confidence 0.95 and 0.99.
    std::vector<std::vector<double>> probs(2);
    for (int i = 0; i < 40; ++i) {
      const bool right = i % 5 != 0;
      fake.evalLabels.push_back(i % 2);
      for (int e = 0; e < 2; ++e) {
        const double c = e == 0 ? 0.95 : 0.99;
        probs[static_cast<size_t>(e)].push_back((right == (i % 2 == 1)) ? c : 1 - c);
      }
    }
    fake.evalLogits = sweet::testing::binaryLogitTable(probs);
    const std::string path = dir.filePath("r.h5").toStdString();
    sweet::testing::writeRun(path, fake);
    const RunData run = loadRun(path);
    const CalibrationResult calibration = calibrate(run, CalibrationSplit::Eval);
    const RunReliability r = runReliability(run, CalibrationSplit::Eval);
    QCOMPARE(r.exits.size(), size_t(2));
    QCOMPARE(r.exits[1].exitLayer, int64_t(4));
    for (size_t e = 0; e < 2; ++e) {
      QCOMPARE(r.exits[e].temperature, calibration.exits[e].temperature);
      QCOMPARE(r.exits[e].before.ece, calibration.exits[e].eceBefore);
      QCOMPARE(r.exits[e].after.ece, calibration.exits[e].eceAfter);
      QVERIFY(r.exits[e].after.ece < 0.5 * r.exits[e].before.ece);  // scaling fixes overconfidence
      QVERIFY(near(r.exits[e].before.accuracy, 0.8));
    }
    // Before: every instance in the top bin, (14/15, 1], at 80% accuracy.
    QCOMPARE(r.exits[1].before.bins.back().count, int64_t(40));
    QVERIFY(near(r.exits[1].before.ece, 0.19, 1e-5));
  }
};

QTEST_GUILESS_MAIN(ReliabilityTest)
#include "test_reliability.moc"
