// Sweeps as a user drives them through the real `sweet` binary, on the local backend:
// plan a fresh sweep, run it two at a time, plan again, run again (nothing to do), a run
// killed mid-way and one whose file says failed, and sweep files with mistakes.
#include <QDir>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>

#include "analysis/run_data.h"
#include "tests/app/cli/sweep_fixture.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestSweepLocal : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void plan_freshSweepListsEveryRunPendingWithReadableIds();
  void run_runsEveryRunThenSkipsThemAsDone();
  void run_resumesAKilledRunAndRestartsAnUncheckpointedOne();
  void ctrlC_checkpointsEveryRunningRunAndTheNextRunResumesThem();
  void failedRun_isLeftAloneUntilRetriedAndSubmittedOnlyWhenAsked();
  void badSweepFiles_refusedNamingFileAndKey();

 private:
  QTemporaryDir dir_;
  QString checkpoint_;
};

void TestSweepLocal::initTestCase() {
  QVERIFY(dir_.isValid());
  checkpoint_ = test::makeDemoCheckpoint(dir_.path());
  QVERIFY(!checkpoint_.isEmpty());
}

void TestSweepLocal::plan_freshSweepListsEveryRunPendingWithReadableIds() {
  const QString sweep = test::writeSweep(dir_.filePath("plan.json"), checkpoint_, "plan-runs",
                                         R"({"method": ["ee", "sweet"], "learning_rate": [3e-5, 0.0005], "seed": [1, 2]})");
  auto r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QStringList ids = {"ee-lr3e-5-s1", "ee-lr3e-5-s2", "ee-lr0.0005-s1", "ee-lr0.0005-s2",
                           "sweet-lr3e-5-s1", "sweet-lr3e-5-s2", "sweet-lr0.0005-s1", "sweet-lr0.0005-s2"};
  int at = -1;
  for (const QString& id : ids) {  // in the file's axis order, the last axis fastest
    const int found = r.out.indexOf(QRegularExpression("\\b" + QRegularExpression::escape(id) + "\\s+pending"));
    QVERIFY2(found > at, qPrintable(id + " missing or out of order:\n" + r.out));
    at = found;
  }
  QVERIFY2(r.out.contains("8 runs in " + dir_.filePath("plan-runs") + ": 8 pending"), qPrintable(r.out));
}

void TestSweepLocal::run_runsEveryRunThenSkipsThemAsDone() {
  const QString sweep = test::writeSweep(dir_.filePath("grid.json"), checkpoint_, "grid-runs");
  QElapsedTimer timer;
  timer.start();
  auto r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "--backend", "local", "-j", "2"}, 600000);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err + r.out));
  qInfo("4 runs, 2 at a time: %lld ms", timer.elapsed());
  QVERIFY2(r.out.contains("4 started: 4 done, 0 failed"), qPrintable(r.out));
  for (const char* id : {"ee-s1", "ee-s2", "sweet-s1", "sweet-s2"}) {
    const QString runFile = dir_.filePath(QStringLiteral("grid-runs/%1.h5").arg(id));
    const analysis::RunData run = analysis::loadRun(runFile.toStdString());
    QCOMPARE(run.status.state, RunState::Finished);
    QVERIFY(QFileInfo::exists(dir_.filePath(QStringLiteral("grid-runs/logs/%1.log").arg(id))));
    QVERIFY(QFileInfo::exists(dir_.filePath(QStringLiteral("grid-runs/configs/%1.json").arg(id))));
  }
  r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.out.contains(": 4 done"), qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep});
  QVERIFY2(r.exit_code == 0 && r.out.contains("0 started") && r.out.contains("4 were done before"), qPrintable(r.out));
  // The sweep file edited after the runs were trained: plan says which keys differ.
  const QString edited = test::writeSweep(dir_.filePath("grid.json"), checkpoint_, "grid-runs",
                                          R"({"method": ["ee", "sweet"], "seed": [1, 2]})", R"(, "learning_rate": 0.001)");
  r = test::runProgram(test::sweetBinary(), {"sweep", "plan", edited});
  QVERIFY2(r.out.contains("trained with another configuration than the sweep's: learning_rate (0.0005 in the run file, 0.001 now)"),
           qPrintable(r.out));
  QVERIFY2(r.out.contains("4 runs were trained with another configuration"), qPrintable(r.out));
  test::writeSweep(dir_.filePath("grid.json"), checkpoint_, "grid-runs");
  // The whole folder reports like the files one by one.
  r = test::runProgram(test::sweetBinary(), {"report", dir_.filePath("grid-runs")});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("sweet") && r.out.contains("ee"), qPrintable(r.out));
}

void TestSweepLocal::run_resumesAKilledRunAndRestartsAnUncheckpointedOne() {
  const QString sweep = test::writeSweep(dir_.filePath("kill.json"), checkpoint_, "kill-runs",
                                         R"({"method": ["ee"], "seed": [1, 2]})", R"(, "checkpoint_every": 4, "epochs": 2)");
  // Run s1 alone through its config and kill it after a checkpoint; kill s2 before one.
  auto r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "--dry-run", "--backend", "slurm"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));  // writes the configs without submitting
  for (const QString id : {"ee-s1", "ee-s2"}) {
    const QString runFile = dir_.filePath("kill-runs/" + id + ".h5");
    QProcess training;
    training.start(test::sweetBinary(), {"train", dir_.filePath("kill-runs/configs/" + id + ".json")});
    QVERIFY(training.waitForStarted());
    const int64_t killAt = id == "ee-s1" ? 6 : 2;
    QElapsedTimer timer;
    timer.start();
    bool reached = false;
    while (!reached && timer.elapsed() < 120000 && training.state() == QProcess::Running) {
      QTest::qWait(20);
      try {
        reached = QFileInfo::exists(runFile) && analysis::loadRun(runFile.toStdString()).status.stepsDone >= killAt;
      } catch (const std::exception&) {
      }
    }
    QVERIFY(reached);
    ::kill(static_cast<pid_t>(training.processId()), SIGKILL);
    QVERIFY(training.waitForFinished());
  }
  r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.out.contains(QRegularExpression("ee-s1\\s+unfinished-resumable")), qPrintable(r.out));
  QVERIFY2(r.out.contains(QRegularExpression("ee-s2\\s+unfinished\\s")), qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "-j", "2"}, 600000);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err + r.out));
  QVERIFY2(r.out.contains("2 started: 2 done"), qPrintable(r.out));
  QFile log(dir_.filePath("kill-runs/logs/ee-s1.log"));
  QVERIFY(log.open(QIODevice::ReadOnly));
  QVERIFY2(log.readAll().contains("resuming from"), "the killed run was not resumed");
  r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.out.contains(": 2 done"), qPrintable(r.out));
}

void TestSweepLocal::ctrlC_checkpointsEveryRunningRunAndTheNextRunResumesThem() {
  const QString sweep = test::writeSweep(dir_.filePath("ctrlc.json"), checkpoint_, "ctrlc-runs",
                                         R"({"method": ["ee", "sweet"], "seed": [5]})", R"(, "epochs": 3, "demo_train_size": 160)");
  QProcess runner;
  runner.start(test::sweetBinary(), {"sweep", "run", sweep, "-j", "2"});
  QVERIFY(runner.waitForStarted());
  QElapsedTimer timer;
  timer.start();
  auto stepsOf = [&](const char* id) -> int64_t {
    try {
      return analysis::loadRun(dir_.filePath(QStringLiteral("ctrlc-runs/%1.h5").arg(id)).toStdString()).status.stepsDone;
    } catch (const std::exception&) {
      return 0;
    }
  };
  while (timer.elapsed() < 120000 && (stepsOf("ee-s5") < 3 || stepsOf("sweet-s5") < 3)) QTest::qWait(50);
  ::kill(static_cast<pid_t>(runner.processId()), SIGINT);
  QVERIFY(runner.waitForFinished(120000));
  QCOMPARE(runner.exitCode(), 128 + SIGINT);
  const QString said = QString::fromUtf8(runner.readAllStandardError() + runner.readAllStandardOutput());
  QVERIFY2(said.contains("2 stopped"), qPrintable(said));
  auto r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.out.contains(": 2 unfinished-resumable"), qPrintable(r.out));

  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "-j", "2"}, 600000);
  QVERIFY2(r.exit_code == 0 && r.out.contains("2 started: 2 done"), qPrintable(r.out + r.err));
  for (const char* id : {"ee-s5", "sweet-s5"}) {
    QFile log(dir_.filePath(QStringLiteral("ctrlc-runs/logs/%1.log").arg(id)));
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY2(log.readAll().contains("resuming from"), id);
  }
}

void TestSweepLocal::failedRun_isLeftAloneUntilRetriedAndSubmittedOnlyWhenAsked() {
  // A learning rate of 1e9 turns the loss NaN at step 2: the run file says failed.
  const QString sweep = test::writeSweep(dir_.filePath("nan.json"), checkpoint_, "nan-runs",
                                         R"({"learning_rate": [0.0005, 1e9]})");
  auto r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep}, 600000);
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.out.contains("2 started: 1 done, 1 failed"), qPrintable(r.out));
  QVERIFY2(r.err.contains("lr1e9: failed (exit 1); see " + dir_.filePath("nan-runs/logs/lr1e9.log")), qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"sweep", "plan", sweep});
  QVERIFY2(r.out.contains(QRegularExpression("lr1e9\\s+failed\\s+1/12\\s+loss became NaN")), qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep});
  // Nothing to run, but the sweep is not complete: exit 1, saying how to retry.
  QVERIFY2(r.exit_code == 1 && r.out.contains("0 started") && r.out.contains("1 failed before (not retried)"), qPrintable(r.out));
  QVERIFY2(r.err.contains("--retry-failed reruns them"), qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "--backend", "slurm", "--dry-run"});
  QVERIFY2(r.out.contains("1 failed (--resubmit-failed reruns them); 0 to submit"), qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "--backend", "slurm", "--dry-run", "--resubmit-failed"});
  QVERIFY2(r.out.contains("1 to submit") && r.out.contains("sbatch --parsable --array=1 "), qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "--retry-failed"}, 600000);
  QCOMPARE(r.exit_code, 1);  // it fails again, as it must
  QVERIFY2(r.out.contains("1 started: 0 done, 1 failed"), qPrintable(r.out));
}

void TestSweepLocal::badSweepFiles_refusedNamingFileAndKey() {
  struct Case {
    QString json, expected;
  };
  const QList<Case> cases = {
      {R"({"base": {}, "grid": {"seed": [1]}, "outputdir": "x"})", "unknown key 'outputdir'"},
      {R"({"base": {"output_dir": "x"}, "grid": {"seed": [1]}})", "base.output_dir is set by the sweep"},
      {R"({"base": {}, "grid": {}})", "grid must be an object of axes"},
      {R"({"base": {}, "grid": {"seed": []}})", "grid.seed has no values"},
      {R"({"base": {}, "grid": {"learning_rat": [0.1]}})", "learning_rat"},
      {R"({"base": {}, "grid": {"seed": [1, 1]}})", "two runs get the id 's1'"},
      // An empty label wrote configs/.json (issue 22, item 7).
      {R"({"base": {}, "grid": {"task": {"": {"seed": 3}}}})", "grid.task: a value gives the run id part '', which names no file"},
      {R"({"base": {}, "grid": {"method": [""], "seed": [1]}})", "grid.method: a value gives the run id part ''"},
      {R"({"base": {}, "grid": {"seed": {"..": {"seed": 1}}}})", "grid.seed: a value gives the run id part '..'"},
      {R"({"base": {}, "grid": {"seed": [1]}, "slurm": {"gpu": 1}})", "unknown key slurm.gpu"},
      {R"({"base": {}, "grid": {"seed": [1]})", "not valid JSON"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const QString path = dir_.filePath(QStringLiteral("bad-%1.json").arg(i++));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(c.json.toUtf8());
    f.close();
    auto r = test::runProgram(test::sweetBinary(), {"sweep", "plan", path});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains(path) && r.err.contains(c.expected), qPrintable(c.expected + " <- " + r.err));
  }
}

QTEST_GUILESS_MAIN(TestSweepLocal)
#include "test_sweep_local.moc"
