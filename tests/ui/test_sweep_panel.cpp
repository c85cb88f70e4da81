// The Sweeps tab as a user drives it: open a sweep file, see its runs pending, press
// Run here, watch them finish through the real `sweet` command line, and get each run's
// file handed on exactly once as it lands; a broken sweep file is a message, not a crash.
#include "tests/app/cli/sweep_fixture.h"
#include "analysis/run_data.h"
#include "ui/sweep_panel.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace sweet::ui;

class SweepPanelTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString checkpoint_;

  static QStringList files(const QSignalSpy& spy) {
    QStringList all;
    for (const auto& args : spy) all << args.at(0).toStringList();
    return all;
  }

 private Q_SLOTS:
  void initTestCase() {
    if (!QFileInfo::exists(sweet::test::sweetBinary())) QSKIP("the sweet command line is not built");
    checkpoint_ = sweet::test::makeDemoCheckpoint(dir_.path());
    QVERIFY(!checkpoint_.isEmpty());
  }

  void runHere_finishesEveryRunAndHandsOnEachFileOnce() {
    const QString sweep = sweet::test::writeSweep(dir_.filePath("grid.json"), checkpoint_, dir_.filePath("grid-runs"),
                                                  R"({"method": ["ee", "sweet"]})");
    SweepPanel panel;
    panel.setSweetProgram(sweet::test::sweetBinary());
    QSignalSpy landed(&panel, &SweepPanel::runsFinished);
    QVERIFY(panel.openSweep(sweep));
    QCOMPARE(panel.table()->rowCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(panel.states().size(), size_t{2}, 30000);
    QCOMPARE(panel.table()->item(0, 1)->text(), QStringLiteral("pending"));
    QVERIFY(panel.runButton()->isEnabled());
    panel.parallelSpin()->setValue(2);
    panel.runButton()->click();
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.runButton()->isEnabled());  // one sweep process at a time
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 240000);
    QTRY_COMPARE_WITH_TIMEOUT(files(landed).size(), 2, 30000);
    for (int row = 0; row < 2; ++row) QCOMPARE(panel.table()->item(row, 1)->text(), QStringLiteral("done"));
    for (const QString& file : files(landed)) {
      QVERIFY2(file.startsWith(dir_.filePath("grid-runs/")) && file.endsWith(".h5") && QFileInfo::exists(file),
               qPrintable(file));
      QCOMPARE(sweet::analysis::loadRun(file.toStdString()).status.state, sweet::RunState::Finished);
    }
    panel.refresh();
    QTest::qWait(500);
    QCOMPARE(files(landed).size(), 2);  // never twice
    // Opening it again (another session): the finished runs are handed on at once.
    SweepPanel again;
    QSignalSpy reopened(&again, &SweepPanel::runsFinished);
    QVERIFY(again.openSweep(sweep));
    QTRY_COMPARE_WITH_TIMEOUT(files(reopened).size(), 2, 30000);
  }

  void brokenSweepFile_isAMessageNamingIt() {
    const QString bad = dir_.filePath("broken.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"name\": ");
    f.close();
    SweepPanel panel;
    QVERIFY(!panel.openSweep(bad));
    QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("broken.json")), qPrintable(panel.statusLabel()->text()));
    QVERIFY(!panel.runButton()->isEnabled());
  }
};

QTEST_MAIN(SweepPanelTest)
#include "test_sweep_panel.moc"
