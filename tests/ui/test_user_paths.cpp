// The workbench's own job, walked the way a person does it through the real widgets:
// queue the dialog's default experiment (EE, SWEET, MM) and stop one run while it trains
// and one while it waits; pause and resume a run; watch curves grow from interim
// evaluations; open files that `sweet train` is writing in another process, that were
// stopped, that failed, or whose writer was killed; quit while training; type a
// threshold. Each asserts the app is alive and the run files read back with the right
// status. These paths crashed the app before (a segfault on the second queued run, an
// abort on Stop and on opening unfinished files, heap corruption on Quit).
#include "analysis/run_data.h"
#include "tiny_training.h"
#include "ui/curve_view.h"
#include "ui/exit_table_view.h"
#include "ui/experiment_dialog.h"
#include "ui/main_window.h"
#include "ui/monitor_view.h"
#include "ui/run_queue.h"
#include "ui_fixtures.h"

#include <QAction>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <H5Cpp.h>

#include <csignal>

using namespace sweet::ui;
using sweet::RunState;

namespace {

QAction* menuAction(QMainWindow& window, const QString& text) {
  for (QAction* a : window.menuBar()->findChildren<QAction*>())
    if (a->text().remove(QLatin1Char('&')) == text) return a;
  return nullptr;
}

template <typename T>
T* field(QWidget* dialog, const char* name) {
  T* w = dialog->findChild<T*>(QLatin1String(name));
  if (!w) qFatal("dialog field %s not found", name);
  return w;
}

// Clicks the button with `text` on the next message box that appears.
void answerNextMessageBox(QMessageBox::StandardButton button) {
  auto* timer = new QTimer;
  QObject::connect(timer, &QTimer::timeout, [timer, button] {
    if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
      box->button(button)->click();
      timer->deleteLater();
    }
  });
  timer->start(20);
  QTimer::singleShot(10000, timer, &QObject::deleteLater);  // no box came: forget it
}

// Rewrites /status of a closed run file, as a run that failed there would have left it.
void setFileState(const QString& path, int64_t state) {
  H5::H5File file(path.toStdString(), H5F_ACC_RDWR);
  H5::DataSet status = file.openDataSet("status");
  int64_t values[3];
  status.read(values, H5::PredType::NATIVE_INT64);
  values[0] = state;
  status.write(values, H5::PredType::NATIVE_INT64);
}

QString writeConfig(const QString& path, const nlohmann::json& config) {
  return sweet::testing::writeBytes(path, QByteArray::fromStdString(config.dump(2))) ? path : QString();
}

}  // namespace

class UserPathsTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString checkpoint_;

  nlohmann::json longConfig(const QString& out, int64_t evalEvery = 0) const {
    auto run = sweet::testing::tinyRun(checkpoint_, out, 0, 400);
    run.config.eval_every = evalEvery;
    return sweet::trainConfigToJson(run.config);
  }

 private Q_SLOTS:
  void initTestCase() {
    sweet::testing::isolateSettings(QStringLiteral("sweet-workbench-test-user-paths"));
    checkpoint_ = sweet::testing::makeTinyCheckpoint(dir_.path());
    QVERIFY(!checkpoint_.isEmpty());
  }

  void dialogDefaults_threeRuns_stopRunningAndQueued_oneFinishes() {
    MainWindow window;
    window.show();
    const QString out = dir_.filePath("experiment");
    // File > New experiment, filled in as a user would; the methods stay at their default
    // (EE, SWEET, MM: three runs queued at once).
    QTimer::singleShot(0, [&] {
      auto* dialog = qobject_cast<ExperimentDialog*>(QApplication::activeModalWidget());
      QVERIFY(dialog);
      QVERIFY(field<QCheckBox>(dialog, "methodEE")->isChecked());
      QVERIFY(field<QCheckBox>(dialog, "methodSWEET")->isChecked());
      QVERIFY(field<QCheckBox>(dialog, "methodMM")->isChecked());
      dialog->setCheckpointFolder(checkpoint_);
      field<QLineEdit>(dialog, "exitLayers")->setText(QStringLiteral("1, 2"));
      field<QSpinBox>(dialog, "trainCap")->setValue(64);
      field<QSpinBox>(dialog, "batchSize")->setValue(8);
      field<QSpinBox>(dialog, "epochs")->setValue(30);
      field<QSpinBox>(dialog, "maxLength")->setValue(32);
      field<QSpinBox>(dialog, "evalEvery")->setValue(60);
      field<QSpinBox>(dialog, "gradientEvery")->setValue(0);
      field<QLineEdit>(dialog, "outputDir")->setText(out);
      QTRY_VERIFY_WITH_TIMEOUT(dialog->checkpointValid(), 60000);
      dialog->accept();
    });
    menuAction(window, QStringLiteral("New experiment…"))->trigger();

    RunQueue* queue = window.queue();
    MonitorView* monitor = window.monitorView();
    QCOMPARE(queue->runs().size(), size_t{3});
    QCOMPARE(monitor->table()->rowCount(), 3);  // the second queued run used to segfault here
    const int ee = queue->runs()[0].id, sweet = queue->runs()[1].id, mm = queue->runs()[2].id;
    QVERIFY(queue->find(ee)->name.contains(QStringLiteral("-ee-")));
    QVERIFY(queue->find(mm)->name.contains(QStringLiteral("-mm-")));

    // Curves grow while SWEET trains: some view shows an interim evaluation.
    bool sawInterim = false;
    connect(window.curveView(), &CurveView::curvesDrawn, this, [&] {  // drawn off a worker, after the store changed
      for (size_t i = 0; i < window.curveView()->seriesCount(); ++i)
        sawInterim |= window.curveView()->model().series()[i]->interim;
    });

    QTRY_VERIFY_WITH_TIMEOUT(queue->find(ee)->stepsSeen > 0, 120000);
    // Stop MM while it waits, then EE while it trains, through the Runs tab's buttons.
    monitor->selectRun(mm);
    QCOMPARE(monitor->selectedRunId(), mm);
    monitor->stopButton()->click();
    QCOMPARE(queue->find(mm)->state, RunState::Stopped);
    monitor->selectRun(ee);
    monitor->stopButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(queue->find(ee)->state == RunState::Stopped, 120000);
    QTRY_VERIFY_WITH_TIMEOUT(!queue->isBusy(), 240000);
    QVERIFY2(queue->find(sweet)->state == RunState::Finished, qPrintable(queue->find(sweet)->message));
    QVERIFY(queue->find(mm)->runFile.isEmpty());  // never started, nothing written

    // The files say what happened; the stopped one kept its steps, the finished one its
    // interim evaluations as well as the final one.
    const auto eeFile = sweet::analysis::loadRun(queue->find(ee)->runFile.toStdString());
    QCOMPARE(eeFile.status.state, RunState::Stopped);
    QVERIFY(eeFile.trainSteps > 0 && eeFile.trainSteps < eeFile.status.totalSteps);
    const auto sweetFile = sweet::analysis::loadRun(queue->find(sweet)->runFile.toStdString());
    QCOMPARE(sweetFile.status.state, RunState::Finished);
    QVERIFY(sweetFile.evalDone);
    QVERIFY(sweetFile.interimEvals >= 2);

    // Every view holds both files (the stopped one without curves, named in the notes).
    QTRY_COMPARE_WITH_TIMEOUT(window.store()->runs().size(), size_t{2}, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(window.curveView()->seriesCount() == 1 &&
                                 !window.curveView()->model().series()[0]->interim, 30000);
    QVERIFY(sawInterim);
    QVERIFY(window.curveView()->notesLabel()->text().contains(QStringLiteral("no evaluation yet")));
    QVERIFY(window.curveView()->notesLabel()->text().contains(QStringLiteral("stopped at step")));
    QVERIFY(window.isVisible());
  }

  void pauseRun_holdsStepsUntilResumed() {
    MainWindow window;
    window.queueConfigFiles({writeConfig(dir_.filePath("pause.json"), longConfig(dir_.filePath("runs-pause")))});
    RunQueue* queue = window.queue();
    QCOMPARE(queue->runs().size(), size_t{1});
    const int id = queue->runs().front().id;
    MonitorView* monitor = window.monitorView();
    QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->stepsSeen > 0, 120000);
    monitor->selectRun(id);
    monitor->pauseRunButton()->click();
    QVERIFY(queue->find(id)->paused);
    QCOMPARE(monitor->table()->item(monitor->rowOfRun(id), 1)->text(), QStringLiteral("paused"));
    QCOMPARE(monitor->pauseRunButton()->text(), QStringLiteral("Resume run"));
    QTest::qWait(300);  // the step in flight may still arrive
    const int64_t held = queue->find(id)->stepsSeen;
    QTest::qWait(600);
    QCOMPARE(queue->find(id)->stepsSeen, held);
    monitor->pauseRunButton()->click();
    QVERIFY(!queue->find(id)->paused);
    QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->stepsSeen > held, 60000);
    monitor->stopButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!queue->isBusy(), 120000);
    QCOMPARE(queue->find(id)->state, RunState::Stopped);
  }

  // Stop leaves a checkpoint; Resume from checkpoint (enabled only then) finishes the run
  // from where it stopped, in the same row and the same run file.
  void stopThenResume_continuesFromTheCheckpointAndFinishes() {
    MainWindow window;
    window.show();
    RunQueue* queue = window.queue();
    MonitorView* monitor = window.monitorView();
    const int id = queue->enqueue(sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-resume"), 0, 150));
    monitor->selectRun(id);
    QVERIFY(!monitor->resumeButton()->isEnabled());  // running: nothing to resume
    QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->stepsSeen > 3, 120000);
    monitor->stopButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!queue->isBusy(), 120000);
    QCOMPARE(queue->find(id)->state, RunState::Stopped);
    const QString file = queue->find(id)->runFile;
    const int64_t stoppedAt = sweet::analysis::loadRun(file.toStdString()).trainSteps;
    QVERIFY(stoppedAt > 0);
    QVERIFY(queue->canResume(id));
    QVERIFY(monitor->resumeButton()->isEnabled());
    monitor->resumeButton()->click();
    QVERIFY(queue->find(id)->state == RunState::Queued || queue->find(id)->state == RunState::Running);
    QTRY_VERIFY_WITH_TIMEOUT(!queue->isBusy(), 240000);
    QVERIFY2(queue->find(id)->state == RunState::Finished, qPrintable(queue->find(id)->message));
    QCOMPARE(queue->runs().size(), size_t{1});  // the same row, not a second run
    const auto data = sweet::analysis::loadRun(file.toStdString());
    QCOMPARE(data.status.state, RunState::Finished);
    QCOMPARE(data.trainSteps, data.status.totalSteps);
    QVERIFY(data.environment.contains("resumed_at_step"));
    QVERIFY(data.environment["resumed_at_step"].get<int64_t>() > 0);
    QVERIFY(data.environment["resumed_at_step"].get<int64_t>() <= stoppedAt);
    QVERIFY(!queue->canResume(id));  // finished: the checkpoint is gone
  }

  void quitWhileTraining_asksStopsAndLeavesFileStopped() {
    auto* window = new MainWindow;
    window->show();
    window->queueConfigFiles({writeConfig(dir_.filePath("quit.json"), longConfig(dir_.filePath("runs-quit")))});
    RunQueue* queue = window->queue();
    const int id = queue->runs().front().id;
    QTRY_VERIFY_WITH_TIMEOUT(queue->find(id)->stepsSeen > 0, 120000);
    answerNextMessageBox(QMessageBox::Yes);  // "Stop running work?" -> Yes
    window->close();                         // File > Quit does the same
    QVERIFY(window->isQuitting());
    QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), 120000);  // closes itself once stopped
    const QString file = queue->find(id)->runFile;
    QCOMPARE(queue->find(id)->state, RunState::Stopped);
    delete window;  // joins the worker threads; used to corrupt the heap here
    const auto data = sweet::analysis::loadRun(file.toStdString());
    QCOMPARE(data.status.state, RunState::Stopped);
    QVERIFY(data.trainSteps > 0);
  }

  void quitAnsweredNo_keepsTraining() {
    MainWindow window;
    window.show();
    window.queueConfigFiles({writeConfig(dir_.filePath("no.json"), longConfig(dir_.filePath("runs-no")))});
    const int id = window.queue()->runs().front().id;
    QTRY_VERIFY_WITH_TIMEOUT(window.queue()->find(id)->stepsSeen > 0, 120000);
    answerNextMessageBox(QMessageBox::No);
    window.close();
    QVERIFY(window.isVisible());
    QVERIFY(!window.isQuitting());
    QCOMPARE(window.queue()->find(id)->state, RunState::Running);
    window.queue()->stop(id);
    QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->isBusy(), 120000);
  }

  void openFilesInEveryState_whileSweetTrainWritesOne() {
    const QString sweetCli = QStringLiteral(SWEET_BINARY_DIR "/app/sweet");
    if (!QFileInfo::exists(sweetCli)) QSKIP("the sweet CLI is not built");
    // A run written by another process, evaluated every 20 steps.
    const QString out = dir_.filePath("runs-cli");
    auto config = longConfig(out, 20);
    config["run_name"] = "cli-live";
    const QString configFile = writeConfig(dir_.filePath("cli.json"), config);
    QProcess trainer;
    trainer.start(sweetCli, {QStringLiteral("train"), configFile});
    QVERIFY(trainer.waitForStarted());
    const QString live = QDir(out).filePath(QStringLiteral("cli-live.h5"));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(live), 120000);

    MainWindow window;
    window.show();
    window.openRunFiles({live});
    QTRY_COMPARE_WITH_TIMEOUT(window.store()->runs().size(), size_t{1}, 30000);
    const int64_t firstSteps = window.store()->runs().front()->data.status.stepsDone;
    QCOMPARE(window.store()->runs().front()->data.status.state, RunState::Running);
    // It is re-read as it grows, and curves appear once it has an interim evaluation.
    QTRY_VERIFY_WITH_TIMEOUT(window.store()->runs().front()->data.status.stepsDone > firstSteps, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.curveView()->seriesCount() == 1, 60000);
    QVERIFY(window.curveView()->model().series()[0]->interim);
    // A Ctrl-C stops the writer; the file ends marked stopped and the app follows.
    trainer.kill();  // no clean close: the writer is gone mid-write, as after kill -9
    QVERIFY(trainer.waitForFinished(60000));

    // A finished file, a stopped one, a failed one (state rewritten), the killed one.
    RunQueue& queue = *window.queue();
    auto quick = sweet::testing::tinyRun(checkpoint_, dir_.filePath("runs-states"), 3);
    quick.config.run_name = "finished";
    queue.enqueue(quick);
    quick.config.run_name = "stopped";
    quick.config.max_steps = 0;
    quick.config.epochs = 400;
    const int stopId = queue.enqueue(quick);
    QTRY_VERIFY_WITH_TIMEOUT(queue.find(stopId)->stepsSeen > 0, 120000);
    queue.stop(stopId);
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 120000);
    const QString stopped = queue.find(stopId)->runFile;
    const QString failed = dir_.filePath("runs-states/failed.h5");
    QVERIFY(QFile::copy(stopped, failed));
    setFileState(failed, 3);

    MainWindow fresh;  // a new session opening them all from disk
    fresh.show();
    answerNextMessageBox(QMessageBox::Ok);  // a file that cannot be read is reported, not fatal
    fresh.openRunFiles({live, dir_.filePath("runs-states/finished.h5"), stopped, failed});
    QTRY_VERIFY_WITH_TIMEOUT(fresh.store()->runs().size() >= 3, 30000);
    QTest::qWait(200);
    QVERIFY(fresh.isVisible());
    QVERIFY(fresh.curveView()->waitForCurves());  // built on a worker thread
    QCOMPARE(fresh.curveView()->seriesCount(), size_t{2});  // finished, and the killed run's interim curve
    const QString notes = fresh.curveView()->notesLabel()->text();
    QVERIFY2(notes.contains(QStringLiteral("stopped at step")), qPrintable(notes));
    QVERIFY2(notes.contains(QStringLiteral("failed at step")), qPrintable(notes));
    // The Runs tab lists the opened files that did not finish, with their state.
    QStringList states;
    for (int r = 0; r < fresh.monitorView()->table()->rowCount(); ++r)
      states << fresh.monitorView()->table()->item(r, 1)->text();
    QVERIFY2(states.contains(QStringLiteral("stopped")) && states.contains(QStringLiteral("failed")), qPrintable(states.join(',')));
  }

  void thresholdBox_typedValueAndEnter() {
    QTemporaryDir runs;
    CurveView view;
    view.setRuns(loadRunFiles(sweet::testing::writeFixtureRuns(runs.path())).runs);
    QVERIFY(view.seriesCount() > 0);
    QDoubleSpinBox* spin = view.thresholdSpin(0);
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("0.95"));
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(view.threshold(0), 0.95);
    QCOMPARE(spin->value(), 0.95);
  }

  void queueFlag_refusesBadConfigsWithTheirName() {
    MainWindow window;
    const QString bad = writeConfig(dir_.filePath("bad.json"), {{"method", "xx"}});
    const QStringList refused = window.queueConfigFiles({bad, dir_.filePath("absent.json")});
    QCOMPARE(refused.size(), 2);
    QVERIFY(refused[0].contains(QStringLiteral("bad.json")) && refused[0].contains(QStringLiteral("method")));
    QVERIFY(refused[1].contains(QStringLiteral("absent.json")));
    QVERIFY(window.queue()->runs().empty());
  }
};

QTEST_MAIN(UserPathsTest)
#include "test_user_paths.moc"
