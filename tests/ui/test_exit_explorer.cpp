// Exit explorer, driven as a user drives it: a tiny run really trained, opened in the main
// window, its marker dragged on the real curve plot; the explorer's exit-taken column and
// its filters are checked against exits computed here, independently, from the run file's
// logits. Also: a file from before run files kept their texts opens with a note saying so,
// and 5,000 instances follow a threshold change quickly.
#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"
#include "tiny_training.h"
#include "ui/curve_view.h"
#include "ui/exit_explorer_view.h"
#include "ui/main_window.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"
#include "ui_fixtures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <H5Cpp.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

using namespace sweet::ui;
using Kind = ExitExplorerModel::ColumnKind;
using Filter = ExitExplorerModel::Filter;

namespace {

// The run file's eval logits and labels, read here without the analysis library's replay.
struct FileLogits {
  std::vector<float> logits;  // [E, N, K]
  std::vector<int64_t> labels;
  size_t exits = 0, instances = 0, classes = 0;

  explicit FileLogits(const QString& path) {
    H5::H5File f(path.toStdString(), H5F_ACC_RDONLY);
    sweet::h5::Shape shape;
    logits = sweet::h5::readFloat32(f, "/eval/logits", &shape);
    labels = sweet::h5::readInt64(f, "/eval/labels");
    exits = shape[0], instances = shape[1], classes = shape[2];
  }
  const float* z(size_t e, size_t i) const { return logits.data() + (e * instances + i) * classes; }
  double confidence(size_t e, size_t i) const {
    const float* v = z(e, i);
    const double top = *std::max_element(v, v + classes);
    double sum = 0;
    for (size_t k = 0; k < classes; ++k) sum += std::exp(static_cast<double>(v[k]) - top);
    return 1.0 / sum;
  }
  int64_t prediction(size_t e, size_t i) const {
    const float* v = z(e, i);
    return std::max_element(v, v + classes) - v;
  }
  // The confidence rule: the first exit whose max softmax reaches t, else the last.
  size_t exitAt(size_t i, double t) const {
    for (size_t e = 0; e + 1 < exits; ++e)
      if (confidence(e, i) >= t) return e;
    return exits - 1;
  }
};

// The instances the explorer's table shows, by their Row column (the eval file's row,
// which is the instance index for these runs).
std::set<int64_t> shownRows(const ExitExplorerView& view) {
  const ExitExplorerModel& m = view.model();
  std::set<int64_t> rows;
  for (int r = 0; r < m.rowCount(); ++r)
    rows.insert(m.index(r, m.column(Kind::Row)).data(ExitExplorerModel::kSortRole).toLongLong());
  return rows;
}

void dragMarkerToCost(CurveView* curves, double cost) {
  QCustomPlot* plot = curves->plot();
  plot->replot();
  const QPoint start = curves->markerPixel(0).toPoint();
  const QPoint target(static_cast<int>(plot->xAxis->coordToPixel(cost)), start.y());
  QTest::mousePress(plot, Qt::LeftButton, {}, start);
  QTest::mouseMove(plot, (start + target) / 2);
  QTest::mouseMove(plot, target);
  QTest::mouseRelease(plot, Qt::LeftButton, {}, target);
}

}  // namespace

class ExitExplorerTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString runFile_;

  // Opens `file` in a fresh main window on the explorer tab, temperatures off (so the
  // confidences are the raw softmax computed above), and waits for the table.
  bool openInExplorer(MainWindow& window, const QString& file) {
    window.curveView()->calibrateBox()->setChecked(false);
    window.resize(1400, 900);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) return false;
    window.openRunFiles({file});
    ExitExplorerView* explorer = window.explorerView();
    return QTest::qWaitFor([&] {
      return explorer->model().snapshot() && !explorer->busy() && !explorer->model().snapshot()->calibrate;
    }, 30000) && window.curveView()->waitForCurves();  // the curves are built on a worker too
  }

 private Q_SLOTS:
  void initTestCase() {
    sweet::testing::isolateSettings(QStringLiteral("sweet-test-exit-explorer"));
    const QString checkpoint = sweet::testing::makeTinyCheckpoint(dir_.path());
    QVERIFY(!checkpoint.isEmpty());
    RunQueue queue;
    auto run = sweet::testing::tinyRun(checkpoint, dir_.filePath("runs"), 6);
    const int id = queue.enqueue(run);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    QVERIFY2(queue.find(id)->state == sweet::RunState::Finished, qPrintable(queue.find(id)->message));
    runFile_ = queue.find(id)->runFile;
  }

  void draggedMarker_exitTakenAndFiltersFollowTheFilesLogits() {
    MainWindow window;
    window.setConfirmClose(false);
    QVERIFY(openInExplorer(window, runFile_));
    ExitExplorerView* explorer = window.explorerView();
    CurveView* curves = window.curveView();
    QCOMPARE(curves->seriesCount(), size_t{1});
    const FileLogits file(runFile_);
    const ExitExplorerModel& m = explorer->model();
    QCOMPARE(m.rowCount(), static_cast<int>(file.instances));
    // Texts came from the run file; the Row column is the eval file's row.
    QVERIFY(explorer->noteLabel()->text().isEmpty() || !explorer->noteLabel()->isVisible());
    QVERIFY(!m.index(0, m.column(Kind::TextA)).data().toString().isEmpty());

    window.tabs()->setCurrentWidget(curves);
    dragMarkerToCost(curves, 0.75);  // exits after layers 1 and 2 of 2: cost 0.5 .. 1
    window.tabs()->setCurrentWidget(explorer);
    const double t = curves->threshold(0);
    QCOMPARE(m.threshold(), t);
    QVERIFY(std::abs(explorer->thresholdSpin()->value() - t) < 1e-4);  // shown to 4 decimals
    std::vector<size_t> counts(file.exits, 0);
    for (int r = 0; r < m.rowCount(); ++r) {
      const auto i = static_cast<size_t>(m.index(r, m.column(Kind::Row)).data(ExitExplorerModel::kSortRole).toLongLong());
      const size_t expected = file.exitAt(i, t);
      ++counts[expected];
      QCOMPARE(m.index(r, m.column(Kind::ExitTaken)).data(ExitExplorerModel::kSortRole).toInt(), static_cast<int>(expected));
      QCOMPARE(m.index(r, m.column(Kind::ExitTaken)).data().toString(), QStringLiteral("L%1").arg(expected + 1));
      const double shown = m.index(r, m.column(Kind::Confidence, 0)).data(ExitExplorerModel::kSortRole).toDouble();
      QVERIFY(std::abs(shown - file.confidence(0, i)) < 1e-12);
    }
    QVERIFY2(counts[0] > 0 && counts[1] > 0, "the dragged threshold splits the instances between the exits");

    // Leaves at exit 1 (L1), then at L2: exactly the instances computed here.
    explorer->filterSelector()->setCurrentIndex(explorer->filterSelector()->findData(QVariant::fromValue(Filter::LeavesAt)));
    for (int k = 0; k < 2; ++k) {
      explorer->filterExitSelector()->setCurrentIndex(k);
      std::set<int64_t> expected;
      for (size_t i = 0; i < file.instances; ++i)
        if (file.exitAt(i, t) == static_cast<size_t>(k)) expected.insert(static_cast<int64_t>(i));
      QCOMPARE(shownRows(*explorer), expected);
    }
    // Dragging again updates the filtered rows (still "leaves at L2").
    window.tabs()->setCurrentWidget(curves);
    dragMarkerToCost(curves, 0.9);
    window.tabs()->setCurrentWidget(explorer);
    const double t2 = curves->threshold(0);
    QVERIFY(t2 != t);
    std::set<int64_t> atLast;
    for (size_t i = 0; i < file.instances; ++i)
      if (file.exitAt(i, t2) == 1) atLast.insert(static_cast<int64_t>(i));
    QCOMPARE(shownRows(*explorer), atLast);

    // Wrong at L1 but right at L2.
    explorer->filterSelector()->setCurrentIndex(explorer->filterSelector()->findData(QVariant::fromValue(Filter::WrongThenRight)));
    explorer->filterExitSelector()->setCurrentIndex(0);
    std::set<int64_t> wrongThenRight;
    for (size_t i = 0; i < file.instances; ++i)
      if (file.prediction(0, i) != file.labels[i] && file.prediction(1, i) == file.labels[i]) wrongThenRight.insert(static_cast<int64_t>(i));
    QCOMPARE(shownRows(*explorer), wrongThenRight);

    // Confidently wrong: the exit taken is wrong with confidence >= the bar.
    explorer->filterSelector()->setCurrentIndex(explorer->filterSelector()->findData(QVariant::fromValue(Filter::ConfidentlyWrong)));
    const double bar = 0.5;
    explorer->confidenceBarSpin()->setValue(bar);
    std::set<int64_t> confidentlyWrong;
    for (size_t i = 0; i < file.instances; ++i) {
      const size_t e = file.exitAt(i, t2);
      if (file.prediction(e, i) != file.labels[i] && file.confidence(e, i) >= bar) confidentlyWrong.insert(static_cast<int64_t>(i));
    }
    QVERIFY(!confidentlyWrong.empty());
    QCOMPARE(shownRows(*explorer), confidentlyWrong);

    // Text search over the run file's own texts, case-insensitively.
    explorer->filterSelector()->setCurrentIndex(0);
    const sweet::analysis::RunData data = sweet::analysis::loadRun(runFile_.toStdString());
    const QString word = QString::fromStdString(data.evalTexts.textA[0]).split(' ').first();
    QTest::keyClicks(explorer->searchEdit(), word.toUpper());
    std::set<int64_t> matching;
    for (size_t i = 0; i < data.evalTexts.textA.size(); ++i)
      if (QString::fromStdString(data.evalTexts.textA[i]).contains(word, Qt::CaseInsensitive)) matching.insert(static_cast<int64_t>(i));
    QVERIFY(matching.count(0) == 1);
    QCOMPARE(shownRows(*explorer), matching);
    explorer->searchEdit()->clear();

    // Sorting by a click on L1's confidence header: descending after two clicks.
    QHeaderView* header = explorer->table()->horizontalHeader();
    const int column = m.column(Kind::Confidence, 0);
    const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(header->sortIndicatorSection(), column);
    for (int r = 1; r < m.rowCount(); ++r) {
      const double previous = m.index(r - 1, column).data(ExitExplorerModel::kSortRole).toDouble();
      const double next = m.index(r, column).data(ExitExplorerModel::kSortRole).toDouble();
      QVERIFY(header->sortIndicatorOrder() == Qt::AscendingOrder ? previous <= next : previous >= next);
    }
  }

  void oldFileWithoutTexts_opensWithRowsLabelsAndANote() {
    const QString old = dir_.filePath("old-format.h5");
    QVERIFY(QFile::copy(runFile_, old));
    QFile(old).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    {
      H5::H5File f(old.toStdString(), H5F_ACC_RDWR);
      QVERIFY(H5Ldelete(f.getId(), "/eval/text", H5P_DEFAULT) >= 0);
    }
    MainWindow window;
    window.setConfirmClose(false);
    QVERIFY(openInExplorer(window, old));
    ExitExplorerView* explorer = window.explorerView();
    window.tabs()->setCurrentWidget(explorer);
    const QString note = explorer->noteLabel()->text();
    QVERIFY2(note.contains(QStringLiteral("written before run files kept the evaluation texts")), qPrintable(note));
    QVERIFY(explorer->noteLabel()->isVisible());
    const ExitExplorerModel& m = explorer->model();
    const FileLogits file(old);
    QCOMPARE(m.rowCount(), static_cast<int>(file.instances));
    for (int r = 0; r < m.rowCount(); ++r) {
      QCOMPARE(m.index(r, m.column(Kind::Row)).data().toLongLong(), static_cast<qlonglong>(r));
      QCOMPARE(m.index(r, m.column(Kind::TextA)).data().toString(), QStringLiteral("—"));
      QCOMPARE(m.index(r, m.column(Kind::Gold)).data().toString(),
               QString::fromStdString(m.snapshot()->run->data.labelNames[static_cast<size_t>(file.labels[static_cast<size_t>(r)])]));
      QCOMPARE(m.index(r, m.column(Kind::ExitTaken)).data(ExitExplorerModel::kSortRole).toInt(),
               static_cast<int>(file.exitAt(static_cast<size_t>(r), m.threshold())));
    }
  }

  void lteRule_scoresAndExitsFollowTheNormalisedScores() {
    // A run with LTE heads and one without, under the curve view's LTE rule: the LTE
    // columns show each exit's min-max normalised score (the run's default threshold_rule)
    // and the exit taken is the first whose score reaches the marker's threshold.
    QTemporaryDir runs;
    sweet::testing::FakeRun lte = sweet::testing::randomRun("ee", 3, 300);
    std::mt19937 gen(5);
    std::uniform_real_distribution<float> u(0.05f, 0.95f);
    for (int k = 0; k < 4 * 300; ++k) lte.lteScores.push_back(u(gen));
    const QString withLte = runs.filePath(QStringLiteral("lte.h5")), without = runs.filePath(QStringLiteral("plain.h5"));
    sweet::testing::writeRun(withLte.toStdString(), lte);
    sweet::testing::writeRun(without.toStdString(), sweet::testing::randomRun("sweet", 3, 300));
    CurveView curves;
    ExitExplorerView explorer;
    explorer.followCurves(&curves);
    const auto loaded = loadRunFiles({withLte, without}).runs;
    QVERIFY(sweet::testing::showWithRuns(curves, loaded, 900, 600));
    explorer.setRuns(loaded);
    curves.ruleSelector()->setCurrentIndex(curves.ruleSelector()->findData(QVariant::fromValue(sweet::analysis::ExitRule::Learned)));
    QTRY_VERIFY_WITH_TIMEOUT(explorer.model().snapshot() && !explorer.busy() &&
                                 explorer.model().snapshot()->rule == sweet::analysis::ExitRule::Learned, 30000);
    QCOMPARE(curves.seriesCount(), size_t{1});  // the run without LTE scores is left off
    curves.setThreshold(0, 0.6);
    const ExitExplorerModel& m = explorer.model();
    QCOMPARE(m.threshold(), 0.6);
    std::vector<float> low(4, 1.f), high(4, 0.f);
    for (size_t e = 0; e < 4; ++e)
      for (size_t i = 0; i < 300; ++i)
        low[e] = std::min(low[e], lte.lteScores[e * 300 + i]), high[e] = std::max(high[e], lte.lteScores[e * 300 + i]);
    for (int r = 0; r < m.rowCount(); ++r) {
      const auto i = static_cast<size_t>(m.index(r, m.column(Kind::Row)).data(ExitExplorerModel::kSortRole).toLongLong());
      int expected = 3;
      for (size_t e = 0; e < 3 && expected == 3; ++e)
        if ((lte.lteScores[e * 300 + i] - low[e]) / (high[e] - low[e]) >= 0.6f) expected = static_cast<int>(e);
      for (int e = 0; e < 4; ++e) {
        const double shown = m.index(r, m.column(Kind::Lte, e)).data(ExitExplorerModel::kSortRole).toDouble();
        const auto ee = static_cast<size_t>(e);
        QVERIFY(std::abs(shown - (lte.lteScores[ee * 300 + i] - low[ee]) / (high[ee] - low[ee])) < 1e-5);
      }
      QCOMPARE(m.index(r, m.column(Kind::ExitTaken)).data(ExitExplorerModel::kSortRole).toInt(), expected);
    }
    // The other run has no LTE scores: no exit under this rule, and the note says why.
    explorer.runSelector()->setCurrentIndex(1);
    QTRY_VERIFY_WITH_TIMEOUT(!explorer.busy() && m.snapshot()->run->data.path == without.toStdString(), 30000);
    QVERIFY(explorer.noteLabel()->text().contains(QStringLiteral("No learning-to-exit scores")));
    QCOMPARE(m.column(Kind::Lte, 0), -1);
    QCOMPARE(m.index(0, m.column(Kind::ExitTaken)).data().toString(), QStringLiteral("—"));
  }

  void largeEvalSet_followsTheThresholdQuickly() {
    // 5,000 instances, 4 exits: a threshold change (reassigning every instance, refiltering
    // and resorting) must stay well inside a frame or two on the GUI thread.
    QTemporaryDir runs;
    sweet::testing::FakeRun fake = sweet::testing::randomRun("ee", 1, 5000);
    for (int i = 0; i < 5000; ++i) fake.evalTextA.push_back("instance number " + std::to_string(i));
    const QString path = runs.filePath(QStringLiteral("large.h5"));
    sweet::testing::writeRun(path.toStdString(), fake);
    CurveView curves;
    ExitExplorerView explorer;
    explorer.followCurves(&curves);
    const auto loaded = loadRunFiles({path}).runs;
    QVERIFY(sweet::testing::showWithRuns(curves, loaded, 900, 600));
    explorer.resize(1200, 700);
    explorer.setRuns(loaded);
    explorer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&explorer));
    QTRY_VERIFY_WITH_TIMEOUT(explorer.model().snapshot() && !explorer.busy(), 30000);
    QCOMPARE(explorer.model().rowCount(), 5000);
    explorer.filterSelector()->setCurrentIndex(explorer.filterSelector()->findData(QVariant::fromValue(Filter::LeavesAt)));
    explorer.table()->sortByColumn(explorer.model().column(Kind::ExitTaken), Qt::DescendingOrder);
    QElapsedTimer timer;
    qint64 worst = 0;
    for (int step = 0; step <= 20; ++step) {
      timer.start();
      curves.setThreshold(0, 0.5 + 0.025 * step);  // the marker's own path, as a drag takes it
      QCoreApplication::processEvents();           // the table repaints
      worst = std::max(worst, timer.elapsed());
    }
    qInfo("5,000 instances: slowest threshold step (curve readout + explorer + repaint) %lld ms", worst);
    QVERIFY2(worst < 150, qPrintable(QString::number(worst)));
    QCOMPARE(explorer.model().threshold(), curves.threshold(0));
  }
};

QTEST_MAIN(ExitExplorerTest)
#include "test_exit_explorer.moc"
