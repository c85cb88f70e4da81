// Tests for analysis/gradient_conflict on a hand-made /gradients group: stored matrices,
// window averages that skip undefined cells, the current-vs-future summary, and the
// measures recomputed from the raw matrices agreeing with the stored cosines.
#include "analysis/gradient_conflict.h"
#include "analysis/hdf5_util.h"
#include "run_file_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace sweet::analysis;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

// Three exits after layers [1, 2, 3], one recorded layer (1), 2 x 2 matrices, two records.
// Record 0 (step 10): exit 0 [[1,0],[0,1]], exit 1 [[1,1],[0,-1]], exit 2 zero (SWEET).
//   cos(0,1): rows (1,0)·(1,1)/√2 = 0.7071 and (0,1)·(0,−1) = −1: mean −0.146447;
//   flattened: dot 1 − 1 = 0; negative rows 1 of 2.
// Record 1 (step 20): exit 1 equals exit 0, so cos(0,1) = 1.
const double kCos01 = (1 / std::sqrt(2.0) - 1) / 2;

std::string writeGradientRun(const QTemporaryDir& dir, bool halfRaw) {
  sweet::testing::FakeRun fake;
  fake.exitLayers = {1, 2, 3};
  fake.evalLogits.assign(3 * 1 * 2, 0.0f);
  fake.evalLabels = {0};
  const std::string path = dir.filePath(halfRaw ? "half.h5" : "run.h5").toStdString();
  H5::H5File file(path, H5F_ACC_TRUNC);
  sweet::testing::writeRunInto(file, fake);
  H5::Group g = file.createGroup("/gradients");
  sweet::h5::writeInt64ArrayAttr(g, "layers", {1});
  sweet::h5::writeStringAttr(g, "matrix", "output.dense.weight");
  sweet::h5::writeInt64Attr(g, "rows", 2);
  sweet::h5::writeInt64Attr(g, "cols", 2);
  sweet::h5::writeStringAttr(g, "dtype", halfRaw ? "float16" : "float32");
  const int64_t steps[2] = {10, 20};
  sweet::h5::writeInt64(file, "/gradients/step", {2}, steps);
  const float raw[2][3][4] = {{{1, 0, 0, 1}, {1, 1, 0, -1}, {0, 0, 0, 0}},
                              {{1, 0, 0, 1}, {1, 0, 0, 1}, {0, 0, 0, 0}}};
  const hsize_t rawShape[5] = {2, 1, 3, 2, 2};
  H5::DataSpace space(5, rawShape);
  H5::DataSet ds = file.createDataSet("/gradients/raw", halfRaw ? H5::DataType(sweet::h5::halfFloatType()) : H5::DataType(H5::PredType::IEEE_F32LE), space);
  ds.write(&raw[0][0][0], H5::PredType::NATIVE_FLOAT);
  const float c = static_cast<float>(kCos01);
  const float cosine[2][3][3] = {{{1, c, kNaN}, {c, 1, kNaN}, {kNaN, kNaN, kNaN}},
                                 {{1, 1, kNaN}, {1, 1, kNaN}, {kNaN, kNaN, kNaN}}};
  sweet::h5::writeFloat32(file, "/gradients/cosine", {2, 1, 3, 3}, &cosine[0][0][0]);
  const float norms[2][3] = {{std::sqrt(2.0f), std::sqrt(3.0f), 0}, {std::sqrt(2.0f), std::sqrt(2.0f), 0}};
  sweet::h5::writeFloat32(file, "/gradients/norm", {2, 1, 3}, &norms[0][0]);
  return path;
}

}  // namespace

class GradientConflictTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void loadGradients_readsAttributesAndRecords() {
    QTemporaryDir dir;
    const GradientRecords r = loadGradients(writeGradientRun(dir, false));
    QCOMPARE(r.records(), 2);
    QCOMPARE(r.layers, (std::vector<int64_t>{1}));
    QCOMPARE(r.exits(), 3);
    QCOMPARE(r.rows, 2);
    QCOMPARE(r.steps, (std::vector<int64_t>{10, 20}));
    QVERIFY(r.hasRaw);
    QCOMPARE(recordAtStep(r, 20), 1);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, recordAtStep(r, 15));
  }

  void loadGradients_withoutGroup_saysRecorderWasOff() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("plain.h5").toStdString();
    sweet::testing::writeRun(path, sweet::testing::smallRun());
    try {
      loadGradients(path);
      QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
      QVERIFY(std::string(e.what()).find("no /gradients group") != std::string::npos);
    }
  }

  void similarityAt_keepsUndefinedCells() {
    QTemporaryDir dir;
    const SimilarityMatrix m = similarityAt(loadGradients(writeGradientRun(dir, false)), 0, 0);
    QVERIFY(std::abs(*m.at(0, 1) - kCos01) < 1e-6);
    QVERIFY(!m.at(0, 2).has_value());
    QVERIFY(!m.at(2, 2).has_value());
  }

  void averageOverSteps_skipsUndefinedAndHonoursWindow() {
    QTemporaryDir dir;
    const GradientRecords r = loadGradients(writeGradientRun(dir, false));
    const SimilarityMatrix all = averageOverSteps(r, 0, 0, 100);
    QVERIFY(std::abs(*all.at(0, 1) - (kCos01 + 1) / 2) < 1e-6);
    QCOMPARE(all.samples[1], 2);
    QVERIFY(!all.at(1, 2).has_value());
    QCOMPARE(*averageOverSteps(r, 0, 15, 25).at(0, 1), 1.0);
    QVERIFY(!averageOverSteps(r, 0, 30, 40).at(0, 0).has_value());
  }

  void currentVsFuture_handCase() {
    QTemporaryDir dir;
    const GradientRecords r = loadGradients(writeGradientRun(dir, false));
    const CurrentVsFuture s = currentVsFuture(similarityAt(r, 0, 0), 1, r.exitLayers);
    QCOMPARE(s.currentExit, 0);
    QVERIFY(std::abs(*s.currentVsFuture - kCos01) < 1e-6);  // cos(0,2) is undefined: left out
    QVERIFY(!s.futureVsFuture.has_value());
    QCOMPARE(s.undefinedPairs, 2);
  }

  void rawMeasures_handValuesAndAgreeWithStoredCosine() {
    QTemporaryDir dir;
    const std::string path = writeGradientRun(dir, false);
    const GradientRecords r = loadGradients(path);
    for (int64_t record = 0; record < 2; ++record) {
      const RawMeasures m = rawMeasures(path, record, 0);
      const SimilarityMatrix stored = similarityAt(r, record, 0);
      for (int64_t a = 0; a < 3; ++a)
        for (int64_t b = 0; b < 3; ++b) {
          QCOMPARE(m.rowAveragedCosine.at(a, b).has_value(), stored.at(a, b).has_value());
          if (stored.at(a, b)) QVERIFY(std::abs(*m.rowAveragedCosine.at(a, b) - *stored.at(a, b)) < 1e-5);
        }
    }
    const RawMeasures m = rawMeasures(path, 0, 0);
    QVERIFY(std::abs(*m.flattenedCosine.at(0, 1)) < 1e-12);
    QCOMPARE(*m.negativeRowShare.at(0, 1), 0.5);
    QCOMPARE(*m.negativeRowShare.at(0, 0), 0.0);
    QVERIFY(std::abs(*m.flattenedCosine.at(1, 1) - 1) < 1e-12);
  }

  void rawMeasures_float16Raw_convertsOnRead() {
    QTemporaryDir dir;
    const RawMeasures m = rawMeasures(writeGradientRun(dir, true), 0, 0);
    QVERIFY(std::abs(*m.rowAveragedCosine.at(0, 1) - kCos01) < 1e-12);
  }

  void rawMeasures_zeroRowCountsAsZeroCosine() {
    // Like torch::cosine_similarity with eps: a zero row in one matrix contributes 0.
    const std::vector<float> raw = {1, 0, 0, 0, /* exit 1 */ 1, 0, 0, 1};
    const RawMeasures m = rawMeasures(raw, 2, 2, 2);
    QCOMPARE(*m.rowAveragedCosine.at(0, 1), 0.5);
  }
};

QTEST_GUILESS_MAIN(GradientConflictTest)
#include "test_gradient_conflict.moc"
