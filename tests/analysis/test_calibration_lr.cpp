// Tests for analysis/temperature_scaling and analysis/lr_selection against closed-form
// optima and hand-computed tables.
#include "analysis/exit_policy.h"
#include "analysis/lr_selection.h"
#include "analysis/temperature_scaling.h"
#include "run_file_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace sweet::analysis;

namespace {

// Four instances, all with logits (0, 2), labels 1 1 1 0. With identical logits the NLL
// optimum makes the predicted probability equal the label frequency: σ(2β) = 3/4, so
// β = ln 3 / 2 and T = 2 / ln 3.
LogitSet identicalLogits() { return sweet::testing::logitSet(1, 2, {0, 2, 0, 2, 0, 2, 0, 2}, {1, 1, 1, 0}); }

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

}  // namespace

class CalibrationLrTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void fitTemperature_identicalLogits_matchesClosedForm() {
    QVERIFY(std::abs(fitTemperature(identicalLogits(), 0) - 2 / std::log(3.0)) < 1e-9);
  }

  void negativeLogLikelihood_handValues() {
    const LogitSet set = identicalLogits();
    const double before = -(3 * std::log(sigmoid(2)) + std::log(1 - sigmoid(2))) / 4;
    QVERIFY(std::abs(negativeLogLikelihood(set, 0, 1) - before) < 1e-12);
    const double after = -(3 * std::log(0.75) + std::log(0.25)) / 4;
    QVERIFY(std::abs(negativeLogLikelihood(set, 0, 2 / std::log(3.0)) - after) < 1e-9);
  }

  void expectedCalibrationError_handValues() {
    // One bin: confidence σ(2) = 0.8808 against accuracy 3/4; after scaling both are 3/4.
    const LogitSet set = identicalLogits();
    QVERIFY(std::abs(expectedCalibrationError(set, 0, 1) - (sigmoid(2) - 0.75)) < 1e-7);
    QVERIFY(expectedCalibrationError(set, 0, 2 / std::log(3.0)) < 1e-7);
    // Two bins: confidence 0.9 right and 0.6 wrong: 0.5·|1 − 0.9| + 0.5·|0 − 0.6| = 0.35.
    LogitSet two = sweet::testing::logitSet(1, 2, sweet::testing::binaryLogitTable({{0.9, 0.6}}), {1, 0});
    QVERIFY(std::abs(expectedCalibrationError(two, 0, 1) - 0.35) < 1e-6);
  }

  void fitTemperature_separableData_hitsLowerBound() {
    LogitSet set = identicalLogits();
    set.labels = {1, 1, 1, 1};  // always right: sharpening forever lowers the NLL
    QVERIFY(std::abs(fitTemperature(set, 0) - 1e-3) < 1e-12);
  }

  void calibrate_fitsOnCalibrationSplitAndKeepsPredictions() {
    QTemporaryDir dir;
    sweet::testing::FakeRun fake;
    fake.exitLayers = {12};
    fake.evalLogits = identicalLogits().logits;
    fake.evalLabels = {1, 1, 1, 0};
    // Calibration split: logits (0, 2) with labels 1 0 -> σ(2β) = 1/2 -> β -> 0: T at 1e3.
    fake.calibrationLogits = {0, 2, 0, 2};
    fake.calibrationLabels = {1, 0};
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, fake);
    const RunData run = loadRun(path);
    const CalibrationResult onCalibration = calibrate(run);
    QCOMPARE(onCalibration.scheme, CalibrationScheme::HeldOut);
    QCOMPARE(onCalibration.fittedInstances, 2);
    QVERIFY(std::abs(onCalibration.exits[0].temperature - 1e3) < 1e-6);
    const CalibrationResult onEval = calibrate(run, CalibrationSplit::Eval);
    QVERIFY(std::abs(onEval.exits[0].temperature - 2 / std::log(3.0)) < 1e-9);
    QVERIFY(onEval.exits[0].nllAfter < onEval.exits[0].nllBefore);
    QVERIFY(onEval.exits[0].eceAfter < onEval.exits[0].eceBefore);
  }

  // No held-out rows (RTE, MRPC at the 6,000 cap): two-fold cross-fitting on the eval set.
  // Four instances, three classes, folds {0, 1} and {2, 3}. With identical logits (0, 0, a)
  // in a fold whose labels are {2, other}, the NLL optimum has p_2 = 1/2, i.e.
  // e^{a/T} = 2 and T = a / ln 2: fold 0 (a = 2) gives T0 = 2/ln 2, fold 1 (a = 4) gives
  // T1 = 4/ln 2. Each fold is scored with the other's temperature: instances 0 and 1 get
  // 4/ln 2, so confidence √2/(2+√2) = √2 − 1; instances 2 and 3 get 2/ln 2, so 4/6 = 2/3.
  void calibrate_withoutSplit_crossFitsOnEvalHalves() {
    RunData run;
    run.path = "x.h5";
    run.exitLayers = {12};
    run.numLabels = 3;
    run.eval.exits = 1;
    run.eval.instances = 4;
    run.eval.classes = 3;
    run.eval.logits = {0, 0, 2, 0, 0, 2, 0, 0, 4, 0, 0, 4};
    run.eval.labels = {2, 0, 2, 1};
    run.evalFold = {0, 0, 1, 1};
    const CalibrationResult c = calibrate(run);
    QCOMPARE(c.scheme, CalibrationScheme::CrossFit);
    QCOMPARE(c.evalFold, run.evalFold);
    const double ln2 = std::log(2.0);
    QVERIFY(std::abs(c.exits[0].foldTemperatures[0] - 2 / ln2) < 1e-9);
    QVERIFY(std::abs(c.exits[0].foldTemperatures[1] - 4 / ln2) < 1e-9);
    const std::vector<double> applied = c.replayTemperatures();
    QCOMPARE(applied.size(), size_t(4));
    QVERIFY(std::abs(applied[0] - 4 / ln2) < 1e-9 && std::abs(applied[1] - 4 / ln2) < 1e-9);
    QVERIFY(std::abs(applied[2] - 2 / ln2) < 1e-9 && std::abs(applied[3] - 2 / ln2) < 1e-9);
    ExitReplay replay(run.eval, applied);
    QVERIFY(std::abs(replay.confidence(0, 0) - (std::sqrt(2.0) - 1)) < 1e-9);
    QVERIFY(std::abs(replay.confidence(0, 3) - 2.0 / 3) < 1e-9);
    // NLL after, per instance: −log(√2 − 1), log(2 + √2), −log(2/3), log 6.
    const double nll = (-std::log(std::sqrt(2.0) - 1) + std::log(2 + std::sqrt(2.0)) - std::log(2.0 / 3) + std::log(6.0)) / 4;
    QVERIFY(std::abs(c.exits[0].nllAfter - nll) < 1e-9);
    QVERIFY(std::abs(c.exits[0].nllBefore - negativeLogLikelihood(run.eval, 0, 1)) < 1e-15);
  }

  void calibrate_crossFitWithoutRecordedFolds_usesSeededStratifiedFolds() {
    RunData run;
    run.path = "x.h5";
    run.exitLayers = {12};
    run.seed = 5;
    run.eval = identicalLogits();
    const CalibrationResult c = calibrate(run);
    QCOMPARE(c.scheme, CalibrationScheme::CrossFit);
    QCOMPARE(c.evalFold, crossFitFolds(run.eval.labels, 5));
    // The fitted-on-eval reference is still there on request.
    QCOMPARE(calibrate(run, CalibrationSplit::Eval).scheme, CalibrationScheme::Eval);
  }

  void crossFitFolds_halvesEveryLabelAndRepeats() {
    const std::vector<int64_t> labels = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2};
    const std::vector<int64_t> folds = crossFitFolds(labels, 42);
    QCOMPARE(folds, crossFitFolds(labels, 42));
    int64_t inFold1[3] = {0, 0, 0};
    for (size_t i = 0; i < labels.size(); ++i) {
      QVERIFY(folds[i] == 0 || folds[i] == 1);
      inFold1[labels[i]] += folds[i];
    }
    QCOMPARE(inFold1[0], 2);                      // 4 -> 2 + 2
    QVERIFY(inFold1[1] == 1);                     // 3 -> 2 in fold 0, 1 in fold 1 (first seen goes to 0)
    QCOMPARE(inFold1[2], 3);                      // 6 -> 3 + 3
    bool differs = false;
    for (uint64_t seed = 1; seed < 6 && !differs; ++seed) differs = crossFitFolds(labels, seed) != folds;
    QVERIFY(differs);
  }

  void selectLearningRates_largestMeanAucWins() {
    const std::vector<AucObservation> obs = {
        {"bert", "ee", "sst2", 2e-5, 0.80}, {"bert", "ee", "sst2", 2e-5, 0.84},
        {"bert", "ee", "sst2", 5e-5, 0.83}, {"bert", "ee", "sst2", 5e-5, 0.83},
        {"bert", "ee", "sst2", 1e-5, 0.70}, {"bert", "mm", "sst2", 3e-5, 0.75}};
    const auto selections = selectLearningRates(obs);
    QCOMPARE(selections.size(), size_t(2));
    const LrSelection& ee = selections[0];
    QCOMPARE(ee.candidates.size(), size_t(3));
    QCOMPARE(ee.candidates[0].learningRate, 1e-5);
    QCOMPARE(ee.chosenLearningRate(), 5e-5);  // 0.83 beats 0.82 (2e-5) and 0.70
    QVERIFY(std::abs(ee.candidates[1].auc.mean - 0.82) < 1e-12);
    QCOMPARE(ee.candidates[1].auc.n, 2);
    QCOMPARE(selections[1].chosenLearningRate(), 3e-5);
    QVERIFY(!selections[1].candidates[0].auc.std.has_value());
  }

  void selectionAuc_meanScoreOverCostRange() {
    // Two exits [6, 12], one instance right at both exits: the curve is flat at 1.
    LogitSet set = sweet::testing::logitSet(2, 2, {0, 1, 0, 2}, {1});
    ExitReplay replay(set);
    QCOMPARE(selectionAuc(replay, CostModel({6, 12}, CostKind::SharedBackbone), Metric::Accuracy), 1.0);
    // Wrong at exit 1, right at exit 2: the curve rises linearly from 0 at 1/2 to 1 at 1.
    set.logits = {1, 0, 0, 2};
    ExitReplay rising(set);
    QVERIFY(std::abs(selectionAuc(rising, CostModel({6, 12}, CostKind::SharedBackbone), Metric::Accuracy) - 0.5) < 1e-12);
  }
};

QTEST_GUILESS_MAIN(CalibrationLrTest)
#include "test_calibration_lr.moc"
