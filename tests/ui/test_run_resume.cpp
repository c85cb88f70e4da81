// Resume anything, as a user meets it: a run stopped in one session of the workbench, and
// a run `sweet train` wrote until it was killed (kill -9 after a periodic checkpoint), are
// opened from disk in a fresh window (as after restarting the app) and resumed from the
// Runs tab. The waiting row says how far the run got, the loss chart ends with the whole
// run under the file's step numbers, and the finished file equals, bit for bit, the same
// run trained without interruption (CPU, one thread: what `sweet train --resume` promises).
#include "analysis/run_data.h"
#include "tests/support/run_file_wait.h"
#include "tiny_training.h"
#include "ui/heatmap_view.h"
#include "ui/main_window.h"
#include "ui/monitor_view.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"
#include "ui/run_store.h"
#include "ui_fixtures.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>

using namespace sweet::ui;
using sweet::RunState;

namespace {

enum Column { kName, kState, kProgress, kStep, kEta, kSpeed };

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Trains `run` to the end in a queue of its own (the uninterrupted reference).
QString trainToTheEnd(const PlannedRun& run) {
  RunQueue queue;
  const int id = queue.enqueue(run);
  if (!QTest::qWaitFor([&] { return !queue.isBusy(); }, 240000)) return {};
  return queue.find(id)->state == RunState::Finished ? queue.find(id)->runFile : QString();
}

}  // namespace

class RunResumeTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString checkpoint_;

  PlannedRun run(const QString& out, int64_t epochs = 12) const {
    PlannedRun r = sweet::testing::tinyRun(checkpoint_, out, 0, epochs);  // 6 steps an epoch
    r.config.eval_every = 20;
    r.config.calibration_size = 16;
    return r;
  }

  // In a fresh window: opens `file`, resumes it from the Runs tab with the queue paused (the
  // row must say how far the run got while it waits), lets it finish; checks the chart.
  void resumeInFreshWindow(const QString& file, const QString& reference) {
    const sweet::analysis::RunData before = sweet::analysis::loadRun(file.toStdString());
    MainWindow window;
    window.show();
    MonitorView* monitor = window.monitorView();
    monitor->smoothingSpin()->setValue(1);
    window.openRunFiles({file});
    QTRY_COMPARE_WITH_TIMEOUT(window.store()->runs().size(), size_t{1}, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(monitor->table()->rowCount(), 1, 10000);
    monitor->table()->selectRow(0);
    QCOMPARE(monitor->selectedRunId(), 0);  // a file, not one of this queue's runs
    if (before.status.state == RunState::Running)  // its writer is gone: say so, not "running"
      QCOMPARE(monitor->table()->item(0, kState)->text(), QStringLiteral("killed"));
    QVERIFY2(monitor->resumeButton()->isEnabled(), qPrintable(monitor->resumeButton()->toolTip()));

    monitor->pauseButton()->click();  // hold it queued, to read the waiting row
    QVERIFY(window.queue()->isPaused());
    monitor->resumeButton()->click();
    QCOMPARE(window.queue()->runs().size(), size_t{1});
    const int id = window.queue()->runs().front().id;
    QCOMPARE(window.queue()->find(id)->state, RunState::Queued);
    QCOMPARE(monitor->table()->rowCount(), 1);  // the file's row became the queue's
    const int row = monitor->rowOfRun(id);
    QVERIFY(row >= 0);
    const QString expectedStep = QStringLiteral("%1 / %2").arg(before.status.stepsDone).arg(before.status.totalSteps);
    QCOMPARE(monitor->table()->item(row, kStep)->text(), expectedStep);
    auto* bar = qobject_cast<QProgressBar*>(monitor->table()->cellWidget(row, kProgress));
    QVERIFY(bar);
    QCOMPARE(bar->value(), static_cast<int>(before.status.stepsDone));
    QCOMPARE(bar->maximum(), static_cast<int>(before.status.totalSteps));
    QVERIFY(monitor->emptyNote()->visible());
    QVERIFY2(monitor->emptyNote()->text().startsWith(QStringLiteral("Waiting to resume")),
             qPrintable(monitor->emptyNote()->text()));

    monitor->pauseButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isBusy(), 240000);
    const QueuedRun* r = window.queue()->find(id);
    QVERIFY2(r->state == RunState::Finished, qPrintable(r->message));
    QCOMPARE(r->runFile, file);

    const sweet::analysis::RunData after = sweet::analysis::loadRun(file.toStdString());
    QCOMPARE(after.status.state, RunState::Finished);
    QVERIFY(after.environment.contains("resumed_at_step"));
    const int64_t steps = after.trainSteps;
    QCOMPARE(steps, after.status.totalSteps);
    QCOMPARE(monitor->table()->item(row, kStep)->text(), QStringLiteral("%1 / %1").arg(steps));
    // The chart: every step from 1 to the last, at the file's step numbers, with its losses.
    monitor->selectRun(id);
    QCOMPARE(static_cast<int64_t>(r->losses.size()), steps);
    QCPGraph* first = monitor->plot()->graph(0);
    QVERIFY(first);
    QCOMPARE(static_cast<int64_t>(first->data()->size()), steps);
    const auto E = static_cast<size_t>(after.exits());
    for (int64_t s = 1; s <= steps; ++s) {
      const auto point = first->data()->at(static_cast<int>(s - 1));
      QCOMPARE(point->key, static_cast<double>(s));
      QCOMPARE(point->value, static_cast<double>(after.trainLoss[static_cast<size_t>(s - 1) * E]));
    }

    // The views hold the finished file once, not a second copy beside the opened one.
    QTRY_VERIFY_WITH_TIMEOUT(window.store()->runs().size() == 1 &&
                                 window.store()->runs().front()->data.status.state == RunState::Finished,
                             30000);

    const sweet::analysis::RunData ref = sweet::analysis::loadRun(reference.toStdString());
    QVERIFY2(sameBits(after.trainLoss, ref.trainLoss), "per-step losses differ from the uninterrupted run");
    QVERIFY2(sameBits(after.trainLr, ref.trainLr), "learning rates differ");
    QVERIFY(after.evalDone);
    QVERIFY2(sameBits(after.eval.logits, ref.eval.logits), "final eval logits differ");
    QCOMPARE(after.interimEvals, ref.interimEvals);
  }

 private Q_SLOTS:
  void initTestCase() {
    sweet::testing::isolateSettings(QStringLiteral("sweet-workbench-test-run-resume"));
    checkpoint_ = sweet::testing::makeTinyCheckpoint(dir_.path());
    QVERIFY(!checkpoint_.isEmpty());
  }

  // Stopped in one session (paused first, so it stops part-way), resumed in the next.
  void runStoppedInAnEarlierSession_resumesFromTheRunsTab() {
    const QString reference = trainToTheEnd(run(dir_.filePath("reference")));
    QVERIFY(!reference.isEmpty());
    QString file;
    {
      MainWindow window;
      window.show();
      MonitorView* monitor = window.monitorView();
      RunQueue* queue = window.queue();
      const int id = queue->enqueue(run(dir_.filePath("stopped")));
      monitor->selectRun(id);
      QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->stepsSeen >= 5, 120000);
      monitor->pauseRunButton()->click();
      QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->paused, 10000);
      // A paused run has no speed: its last examples/s would be stale.
      QCOMPARE(monitor->table()->item(monitor->rowOfRun(id), kSpeed)->text(), QStringLiteral("paused"));
      monitor->stopButton()->click();
      QTRY_VERIFY_WITH_TIMEOUT(!queue->isBusy(), 120000);
      QCOMPARE(queue->find(id)->state, RunState::Stopped);
      QCOMPARE(monitor->table()->item(monitor->rowOfRun(id), kSpeed)->text(), QStringLiteral("—"));
      file = queue->find(id)->runFile;
    }
    const sweet::analysis::RunData stopped = sweet::analysis::loadRun(file.toStdString());
    QCOMPARE(stopped.status.state, RunState::Stopped);
    QVERIFY(stopped.status.stepsDone >= 5 && stopped.status.stepsDone < stopped.status.totalSteps);
    QVERIFY(QFileInfo::exists(file.left(file.size() - 3) + ".resume.pt"));
    // A copy in another folder cannot continue there: its configuration (output_dir) names
    // the first, and the checkpoint resumes only into that. Greyed out, saying why.
    const QString moved = dir_.filePath("moved");
    QVERIFY(QDir().mkpath(moved));
    const QString base = file.left(file.size() - 3);
    for (const QString& suffix : {QStringLiteral(".h5"), QStringLiteral(".resume.pt"), QStringLiteral(".resume.pt.sha256")})
      QVERIFY(QFile::copy(base + suffix, moved + "/" + QFileInfo(base + suffix).fileName()));
    {
      MainWindow window;
      window.show();
      window.openRunFiles({moved + "/" + QFileInfo(file).fileName()});
      QTRY_COMPARE_WITH_TIMEOUT(window.monitorView()->table()->rowCount(), 1, 30000);
      window.monitorView()->table()->selectRow(0);
      QVERIFY(!window.monitorView()->resumeButton()->isEnabled());
      QVERIFY2(window.monitorView()->resumeButton()->toolTip().contains(QStringLiteral("writes to ") + file),
               qPrintable(window.monitorView()->resumeButton()->toolTip()));
    }
    resumeInFreshWindow(file, reference);
  }

  // After a resume the live heatmap showed only the records made since: the file's earlier
  // ones were never read. Now the live entry holds the whole run, as the file does at the end.
  void resumedRun_liveHeatmapShowsEveryRecord() {
    PlannedRun planned = run(dir_.filePath("gradients"));
    planned.config.gradients.every = 2;
    planned.config.gradients.probe_size = 4;
    QString file;
    {
      MainWindow window;
      window.show();
      MonitorView* monitor = window.monitorView();
      RunQueue* queue = window.queue();
      const int id = queue->enqueue(planned);
      monitor->selectRun(id);
      QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->gradients.records() >= 3, 120000);
      monitor->pauseRunButton()->click();  // paused first, so the stop lands part-way
      QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->paused, 10000);
      monitor->stopButton()->click();
      QTRY_VERIFY_WITH_TIMEOUT(!queue->isBusy(), 120000);
      QCOMPARE(queue->find(id)->state, RunState::Stopped);
      file = queue->find(id)->runFile;
    }
    const auto earlier = sweet::analysis::loadGradients(file.toStdString());
    QVERIFY(earlier.records() >= 3);
    MainWindow window;
    window.show();
    MonitorView* monitor = window.monitorView();
    HeatmapView* heatmap = window.heatmapView();
    heatmap->followLatest()->setChecked(true);
    window.openRunFiles({file});
    QTRY_COMPARE_WITH_TIMEOUT(monitor->table()->rowCount(), 1, 30000);
    monitor->table()->selectRow(0);
    QVERIFY2(monitor->resumeButton()->isEnabled(), qPrintable(monitor->resumeButton()->toolTip()));
    monitor->resumeButton()->click();
    const int id = window.queue()->runs().front().id;
    // The steps the live entry shows at each delivery while the run trains.
    std::vector<int64_t> shown;
    connect(window.queue(), &RunQueue::gradientsAppended, this, [&](int runId) {
      const LoadedRun* live = heatmap->currentRun();
      if (runId == id && live && live->data.path == "live:" + std::to_string(id)) shown = live->gradients->steps;
    });
    QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isBusy(), 240000);
    QVERIFY2(window.queue()->find(id)->state == RunState::Finished, qPrintable(window.queue()->find(id)->message));
    const auto stored = sweet::analysis::loadGradients(file.toStdString());
    QVERIFY(stored.records() > earlier.records());
    QCOMPARE(shown, stored.steps);
    QCOMPARE(window.queue()->find(id)->gradients.cosine.size(), stored.cosine.size());
  }

  // Written by `sweet train` and killed with kill -9 after a checkpoint_every checkpoint: the
  // file still says "running", its writer is gone, steps after the checkpoint are redone.
  // With threads 0 (one per core) in its configuration, as `sweet train` users leave it: the
  // queue must not put its own count into a run whose checkpoint says 0.
  void runKilledInSweetTrain_resumesFromTheRunsTab() {
    const QString sweetCli = QStringLiteral(SWEET_BINARY_DIR "/app/sweet");
    if (!QFileInfo::exists(sweetCli)) QSKIP("the sweet CLI is not built");
    // Long enough (240 steps) that the kill lands before the end on a fast machine too.
    PlannedRun uninterrupted = run(dir_.filePath("reference-killed"), 40);
    uninterrupted.config.threads = 0;  // the queue gives it all cores: the count `sweet train` takes for 0
    const QString reference = trainToTheEnd(uninterrupted);
    QVERIFY(!reference.isEmpty());
    PlannedRun killed = run(dir_.filePath("killed"), 40);
    killed.config.threads = 0;
    killed.config.checkpoint_every = 8;
    const QString config = dir_.filePath("killed.json");
    QVERIFY(sweet::testing::writeBytes(config, QByteArray::fromStdString(sweet::trainConfigToJson(killed.config).dump())));
    QProcess trainer;
    trainer.start(sweetCli, {QStringLiteral("train"), config});
    const QString file = QString::fromStdString(killed.config.runFilePath());
    QVERIFY(sweet::testing::waitForRunSteps(trainer, file, 11));  // past the checkpoint at 8
    ::kill(static_cast<pid_t>(trainer.processId()), SIGKILL);
    QVERIFY(trainer.waitForFinished(60000));
    const sweet::analysis::RunData left = sweet::analysis::loadRun(file.toStdString());
    if (left.status.state == RunState::Finished) QSKIP("the run finished before it could be killed");
    QCOMPARE(left.status.state, RunState::Running);
    QVERIFY(sweet::analysis::writerGone(left));
    resumeInFreshWindow(file, reference);
  }
};

QTEST_MAIN(RunResumeTest)
#include "test_run_resume.moc"
