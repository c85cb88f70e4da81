// Heatmap view: values read back from each QCPColorMap equal the file's cosines (NaN
// cells stay NaN), the step slider switches records, and hover text names the value.
#include "analysis/gradient_conflict.h"
#include "ui/heatmap_view.h"
#include "ui/qcustomplot_include.h"
#include "ui_fixtures.h"

#include <QComboBox>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace sweet::ui;

class HeatmapViewTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::vector<RunPtr> runs_;

  static void compareRecord(HeatmapView& view, const sweet::analysis::GradientRecords& g, int64_t record) {
    for (int l = 0; l < view.colorMapCount(); ++l)
      for (int64_t a = 0; a < g.exits(); ++a)
        for (int64_t b = 0; b < g.exits(); ++b) {
          const float stored = g.cosine[static_cast<size_t>(((record * g.layerCount() + l) * g.exits() + a) * g.exits() + b)];
          const double shown = view.colorMap(l)->data()->cell(static_cast<int>(b), static_cast<int>(a));
          if (std::isnan(stored)) QVERIFY2(std::isnan(shown), "undefined cell must stay undefined");
          else QCOMPARE(shown, static_cast<double>(stored));
        }
  }

 private Q_SLOTS:
  void initTestCase() {
    const LoadBatch batch = loadRunFiles(sweet::testing::writeFixtureRuns(dir_.path()));
    QVERIFY(batch.errors.empty());
    runs_ = batch.runs;
  }

  void colorMaps_equalFileCosines() {
    HeatmapView view;
    view.setRuns(runs_);
    QVERIFY(view.currentRun());
    QCOMPARE(view.colorMapCount(), 3);
    const auto g = sweet::analysis::loadGradients(view.currentRun()->data.path);
    QVERIFY(std::isnan(g.cosine[3]));  // the fixture has undefined cells to check
    QCOMPARE(view.stepSlider()->value(), 0);
    compareRecord(view, g, 0);
    view.stepSlider()->setValue(2);
    compareRecord(view, g, 2);
    QCOMPARE(view.colorMap(0)->dataRange().lower, -1.0);  // fixed diverging scale
    QCOMPARE(view.colorMap(0)->dataRange().upper, 1.0);
  }

  // A run with a second probe batch: the selector switches the panels to its records;
  // runs without one keep the selector disabled on the first probe.
  void probeSelector_showsTheSecondProbesRecords() {
    const QString path = dir_.filePath("two-probes.h5");
    sweet::testing::writeRun(path.toStdString(), sweet::testing::randomRun("ee", 7));
    sweet::testing::writeGradients(path.toStdString(), {1, 4, 6}, 4, 3);
    {
      H5::H5File file(path.toStdString(), H5F_ACC_RDWR);
      file.createGroup("/gradients/probe2");
      std::vector<float> cosine(3 * 3 * 4 * 4);
      for (size_t i = 0; i < cosine.size(); ++i) cosine[i] = static_cast<float>(std::cos(0.37 * static_cast<double>(i)));
      sweet::h5::writeFloat32(file, "/gradients/probe2/cosine", {3, 3, 4, 4}, cosine.data());
    }
    const LoadBatch batch = loadRunFiles({path});
    QVERIFY(batch.errors.empty());
    QVERIFY(batch.runs.front()->secondProbe);
    HeatmapView view;
    view.setRuns(batch.runs);
    QVERIFY(view.probeSelector()->isEnabled());
    const auto first = sweet::analysis::loadGradients(path.toStdString());
    const auto second = sweet::analysis::loadGradients(path.toStdString(), 2);
    compareRecord(view, first, 0);
    view.probeSelector()->setCurrentIndex(1);
    view.stepSlider()->setValue(1);
    compareRecord(view, second, 1);
    view.setRuns(runs_);  // fixture runs have one probe
    QVERIFY(!view.probeSelector()->isEnabled());
    QCOMPARE(view.probeSelector()->currentIndex(), 0);
  }

  // A pcgrad run (issue 25): the third choice shows its records after surgery; a run with
  // a second probe but no projected records falls back to the first probe on that choice.
  void probeSelector_showsAPcgradRunsProjectedRecords() {
    const QString path = dir_.filePath("pcgrad.h5");
    sweet::testing::writeRun(path.toStdString(), sweet::testing::randomRun("pcgrad", 8));
    sweet::testing::writeGradients(path.toStdString(), {1, 4, 6}, 4, 3);
    {
      H5::H5File file(path.toStdString(), H5F_ACC_RDWR);
      file.createGroup("/gradients/projected");
      std::vector<float> cosine(3 * 3 * 4 * 4);
      for (size_t i = 0; i < cosine.size(); ++i) cosine[i] = static_cast<float>(std::sin(0.29 * static_cast<double>(i)));
      sweet::h5::writeFloat32(file, "/gradients/projected/cosine", {3, 3, 4, 4}, cosine.data());
    }
    const LoadBatch batch = loadRunFiles({path});
    QVERIFY(batch.errors.empty());
    QVERIFY(batch.runs.front()->projected && !batch.runs.front()->secondProbe);
    HeatmapView view;
    view.setRuns(batch.runs);
    QVERIFY(view.probeSelector()->isEnabled());
    view.probeSelector()->setCurrentIndex(2);
    view.stepSlider()->setValue(2);
    compareRecord(view, sweet::analysis::loadGradients(path.toStdString(), 3), 2);
    view.probeSelector()->setCurrentIndex(1);  // no second probe in this run
    QCOMPARE(view.probeSelector()->currentIndex(), 0);
    view.stepSlider()->setValue(0);
    compareRecord(view, sweet::analysis::loadGradients(path.toStdString()), 0);
  }

  void hover_showsCellValue() {
    HeatmapView view;
    QVERIFY(sweet::testing::showWithRuns(view, runs_, 900, 400));
    view.plot()->replot();
    QCPColorMap* map = view.colorMap(1);
    const QPoint cell(static_cast<int>(map->keyAxis()->coordToPixel(2)), static_cast<int>(map->valueAxis()->coordToPixel(1)));
    const QString text = view.cellTextAt(cell);
    const double expected = sweet::testing::fixtureCosine(0, 1, 1, 2);
    QVERIFY2(text.contains(QString::number(expected, 'f', 4)), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("layer 4")));
    const QPoint undefinedCell(static_cast<int>(map->keyAxis()->coordToPixel(3)), static_cast<int>(map->valueAxis()->coordToPixel(0)));
    QVERIFY(view.cellTextAt(undefinedCell).contains(QStringLiteral("undefined")));
  }
};

QTEST_MAIN(HeatmapViewTest)
#include "test_heatmap_view.moc"
