// Run queue: a tiny demo-task run starts on the worker thread, reports progress that
// arrives on the GUI thread, finishes with a readable run file; a long run stops cleanly
// when asked and keeps its file marked stopped; gradient records reach the heatmap view
// while the run trains.
#include "analysis/gradient_conflict.h"
#include "analysis/run_data.h"
#include "tiny_training.h"
#include "ui/heatmap_view.h"
#include "ui/monitor_view.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSlider>

#include <QFileInfo>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace sweet::ui;
using sweet::RunState;

class RunQueueTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString checkpoint_;

 private Q_SLOTS:
  void initTestCase() {
    checkpoint_ = sweet::testing::makeTinyCheckpoint(dir_.path());
    QVERIFY(!checkpoint_.isEmpty());
  }

  void tinyRun_reportsProgressAcrossThreadsAndFinishes() {
    RunQueue queue;
    MonitorView monitor(&queue);
    bool offGuiThread = false;
    int changes = 0;
    connect(&queue, &RunQueue::runChanged, this, [&] {
      ++changes;
      offGuiThread |= QThread::currentThread() != qApp->thread();
    });
    QString finishedFile;
    connect(&queue, &RunQueue::runFinished, this, [&](int, const QString& f) { finishedFile = f; });
    const int id = queue.enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs"), 3));
    QVERIFY(queue.isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    const QueuedRun* r = queue.find(id);
    QVERIFY2(r->state == RunState::Finished, qPrintable(r->message));
    QCOMPARE(r->stepsSeen, int64_t{3});
    QCOMPARE(r->losses.size(), size_t{3});
    QCOMPARE(r->losses.front().size(), size_t{2});
    QCOMPARE(r->progress.step, int64_t{3});
    QVERIFY(changes >= 2);
    QVERIFY(!offGuiThread);
    QVERIFY(QFileInfo::exists(finishedFile));
    const auto data = sweet::analysis::loadRun(finishedFile.toStdString());
    QCOMPARE(data.status.state, sweet::RunState::Finished);
    QCOMPARE(monitor.table()->rowCount(), 1);
    QCOMPARE(monitor.table()->item(0, 1)->text(), QStringLiteral("finished"));
  }

  void longRun_stopsCleanlyAndKeepsFile() {
    RunQueue queue;
    const int id = queue.enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-stop"), 0, 200));
    QTRY_VERIFY_WITH_TIMEOUT(queue.find(id)->stepsSeen > 0, 240000);
    QCOMPARE(queue.find(id)->state, RunState::Running);
    QVERIFY(!queue.remove(id));  // a running run cannot be removed
    queue.stop(id);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    const QueuedRun* r = queue.find(id);
    QCOMPARE(r->state, RunState::Stopped);
    QVERIFY(r->progress.step < r->progress.total_steps);
    QVERIFY(QFileInfo::exists(r->runFile));
    QCOMPARE(sweet::analysis::loadRun(r->runFile.toStdString()).status.state, sweet::RunState::Stopped);
    QVERIFY(queue.remove(id));
    QVERIFY(queue.runs().empty());
  }

  void gradientRecords_reachTheHeatmapWhileTraining() {
    RunQueue queue;
    HeatmapView view;
    view.watchQueue(&queue);
    view.followLatest()->setChecked(true);
    auto run = sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-grad"), 4);
    run.config.gradients.every = 1;
    run.config.gradients.probe_size = 4;
    // Counts the records the view shows at each delivery, before the run has ended.
    std::vector<int> shownWhileRunning;
    connect(&queue, &RunQueue::gradientsAppended, this, [&](int id) {
      if (queue.find(id)->state == RunState::Running && view.currentRun())
        shownWhileRunning.push_back(static_cast<int>(view.currentRun()->gradients->records()));
    });
    QString file;
    connect(&queue, &RunQueue::runFinished, this, [&](int, const QString& f) { file = f; });
    const int id = queue.enqueue(run);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    QVERIFY2(queue.find(id)->state == RunState::Finished, qPrintable(queue.find(id)->message));
    QVERIFY(!shownWhileRunning.empty());
    QVERIFY(shownWhileRunning.front() >= 1);

    // The live entry holds what the file holds: same steps, same cosines, newest shown.
    const auto stored = sweet::analysis::loadGradients(file.toStdString());
    const LoadedRun* live = view.currentRun();
    QVERIFY(live);
    QCOMPARE(QString::fromStdString(live->data.path), QStringLiteral("live:%1").arg(id));
    const auto& g = *live->gradients;
    QCOMPARE(g.steps, stored.steps);
    QCOMPARE(g.layers, stored.layers);
    QCOMPARE(g.exitLayers, stored.exitLayers);
    QCOMPARE(g.cosine.size(), stored.cosine.size());
    for (size_t i = 0; i < g.cosine.size(); ++i)
      QVERIFY(std::isnan(stored.cosine[i]) ? std::isnan(g.cosine[i]) : g.cosine[i] == stored.cosine[i]);
    QCOMPARE(view.stepSlider()->value(), static_cast<int>(g.records()) - 1);
    const int last = static_cast<int>(g.records()) - 1, E = static_cast<int>(g.exits());
    const float c01 = g.cosine[static_cast<size_t>(((last * g.layerCount() + 0) * E + 0) * E + 1)];
    const double shown = view.colorMap(0)->data()->cell(1, 0);
    QVERIFY(std::isnan(c01) ? std::isnan(shown) : shown == static_cast<double>(c01));

    // Once the run file is opened the live entry gives way to it, still selected.
    view.setRuns(loadRunFiles({file}).runs);
    QCOMPARE(view.runSelector()->count(), 1);
    QCOMPARE(view.currentRun()->data.path, file.toStdString());
  }

  void pausedQueue_startsNothingUntilResumed() {
    RunQueue queue;
    MonitorView monitor(&queue);
    monitor.pauseButton()->click();
    QVERIFY(queue.isPaused());
    QCOMPARE(monitor.pauseButton()->text(), QStringLiteral("Resume queue"));
    const int id = queue.enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-pause"), 2));
    QTest::qWait(300);
    QCOMPARE(queue.find(id)->state, RunState::Queued);
    QCOMPARE(queue.runningCount(), 0);
    monitor.pauseButton()->click();
    QVERIFY(!queue.isPaused());
    QCOMPARE(queue.find(id)->state, RunState::Running);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    QCOMPARE(queue.find(id)->state, RunState::Finished);
  }

  // Nothing selected, or a queued run with no losses yet, used to squeeze the axes to ~100 px
  // (an empty legend capped their column) with tick labels run together ("5010020030040").
  void lossPlot_keepsItsWidthWithNothingOrAQueuedRunSelected() {
    RunQueue queue;
    MonitorView monitor(&queue);
    monitor.resize(1000, 700);
    monitor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&monitor));
    auto axesWidth = [&] {
      monitor.plot()->replot();
      return monitor.plot()->axisRect()->width();
    };
    QVERIFY2(axesWidth() > monitor.plot()->width() / 2, qPrintable(QString::number(axesWidth())));
    QVERIFY(monitor.plot()->height() >= 220);
    const int trained = queue.enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-plot"), 4));
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    monitor.selectRun(trained);
    QCOMPARE(monitor.plot()->graphCount(), 2);
    QVERIFY(monitor.plot()->axisRect()->width() > monitor.plot()->width() / 2);
    QVERIFY(!monitor.emptyNote()->visible());
    monitor.pauseButton()->click();
    const int waiting = queue.enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-plot2"), 2));
    monitor.selectRun(waiting);
    QCOMPARE(monitor.plot()->graphCount(), 0);
    QVERIFY2(axesWidth() > monitor.plot()->width() / 2, qPrintable(QString::number(axesWidth())));
    QVERIFY(monitor.emptyNote()->visible());
    queue.stop(waiting);
  }

  void parallelRuns_trainTogetherWithSharedCores() {
    RunQueue queue;
    queue.setParallelRuns(2);
    QCOMPARE(queue.threadsPerRun(), std::max(1, QThread::idealThreadCount() / 2));
    auto longRun = [&](const char* dir) {
      auto run = sweet::testing::tinyRun(checkpoint_, dir_.filePath(dir), 0, 200);
      run.config.threads = 0;  // "the machine's cores", which the queue shares out
      return run;
    };
    const int a = queue.enqueue(longRun("runs-par-a"));
    const int b = queue.enqueue(longRun("runs-par-b"));
    const int c = queue.enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-par-c"), 2));
    QCOMPARE(queue.runningCount(), 2);
    QCOMPARE(queue.find(c)->state, RunState::Queued);  // a third waits for a slot
    QTRY_VERIFY_WITH_TIMEOUT(queue.find(a)->stepsSeen > 0 && queue.find(b)->stepsSeen > 0, 240000);
    QCOMPARE(queue.find(a)->threads, queue.threadsPerRun());
    QCOMPARE(queue.find(b)->threads, queue.threadsPerRun());
    queue.stop(a);
    // The freed slot takes the queued run while b keeps training.
    QTRY_VERIFY_WITH_TIMEOUT(queue.find(c)->state != RunState::Queued, 240000);
    QCOMPARE(queue.find(b)->state, RunState::Running);
    queue.stop(b);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    QCOMPARE(queue.find(a)->state, RunState::Stopped);
    QCOMPARE(queue.find(b)->state, RunState::Stopped);
    QCOMPARE(queue.find(c)->state, RunState::Finished);
  }

  void badConfig_failsWithMessage() {
    RunQueue queue;
    auto run = sweet::testing::tinyRun(dir_.filePath("no-such-checkpoint"), dir_.filePath("runs-bad"), 3);
    const int id = queue.enqueue(run);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 60000);
    QCOMPARE(queue.find(id)->state, RunState::Failed);
    QVERIFY(queue.find(id)->message.contains(QStringLiteral("no-such-checkpoint")));
  }
};

QTEST_MAIN(RunQueueTest)
#include "test_run_queue.moc"
