// Exact resume as a user meets it, through the real `sweet` binary: a run killed with
// kill -9 after its first checkpoint, and runs stopped by SIGTERM and SIGUSR1 (Slurm's
// preemption and time-limit signals), resumed and compared with the same run trained
// without interruption: every per-step loss and learning rate, every interim evaluation,
// gradient record and final eval and calibration logit must be equal, bit for bit (CPU,
// one thread). Also the refusals: a changed configuration, --resume without a checkpoint.
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <cstring>

#include "analysis/gradient_conflict.h"
#include "analysis/run_data.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"
#include "tests/support/run_file_wait.h"

using namespace sweet;

class TestResume : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void killedRun_resumesToTheUninterruptedRunsLossesAndLogits();
  void signalledRun_checkpointsOnTheSignalAndResumesExactly();
  void resume_refusesAChangedConfigurationNamingTheKey();
  void resume_withoutCheckpointSaysWhere();
  void movedRun_resumesInItsNewFolderExactly();
  void continueFlag_leavesAFinishedRunAloneAndStartsOverAnUnresumableOne();

 private:
  QString config(const QString& name, int checkpointEvery) const;
  QString runFileIn(const QString& name) const { return dir_.filePath(name) + "/demo-ee-lr0.0005-s42.h5"; }
  QString checkpointIn(const QString& name) const { return dir_.filePath(name) + "/demo-ee-lr0.0005-s42.resume.pt"; }
  // Waits until the run has a checkpoint and has gone past it (so a kill loses steps).
  bool waitPastCheckpoint(QProcess& process, const QString& name);
  bool waitForSteps(QProcess& process, const QString& runFile, int64_t steps);
  void compareWithReference(const QString& runFile);

  QTemporaryDir dir_;
  QString checkpoint_;
  QString reference_;
};

namespace {

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace

QString TestResume::config(const QString& name, int checkpointEvery) const {
  // Dropout on, train-batch gradient records (they restore the generator) and interim
  // evaluations: every random draw and every dataset a resume must carry over.
  const QString path = dir_.filePath(name + ".json");
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QStringLiteral(R"({"task": "demo", "model": "%1", "demo_train_size": 160, "demo_eval_size": 48,
      "calibration_size": 16, "method": "ee", "exit_layers": [1, 4, 6, 12], "learning_rate": 0.0005,
      "batch_size": 8, "epochs": 3, "max_length": 40, "threads": 1, "output_dir": "%2", "save_model": false,
      "eval_every": 7, "checkpoint_every": %3,
      "gradients": {"every": 3, "probe_size": 8, "probe": "train_batch"}})")
              .arg(checkpoint_, dir_.filePath(name))
              .arg(checkpointEvery)
              .toUtf8());
  return path;
}

void TestResume::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
  // The reference: the same run, never interrupted (it still writes checkpoints, which
  // must not change its numbers either).
  QElapsedTimer timer;
  timer.start();
  const auto r = test::runProgram(test::sweetBinary(), {"train", config("reference", 5)});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  qInfo("uninterrupted reference run: %lld ms", timer.elapsed());
  reference_ = runFileIn("reference");
  QVERIFY(!QFileInfo::exists(checkpointIn("reference")));  // a finished run leaves none behind
}

bool TestResume::waitForSteps(QProcess& process, const QString& runFile, int64_t steps) {
  return sweet::testing::waitForRunSteps(process, runFile, steps);
}

bool TestResume::waitPastCheckpoint(QProcess& process, const QString& name) {
  if (!process.waitForStarted()) return false;
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 120000 && process.state() == QProcess::Running) {
    QTest::qWait(20);
    if (QFileInfo::exists(checkpointIn(name))) return waitForSteps(process, runFileIn(name), 7);
  }
  return false;
}

void TestResume::compareWithReference(const QString& runFile) {
  const analysis::RunData ref = analysis::loadRun(reference_.toStdString());
  const analysis::RunData got = analysis::loadRun(runFile.toStdString());
  QCOMPARE(got.status.state, RunState::Finished);
  QCOMPARE(got.trainSteps, ref.trainSteps);
  QVERIFY2(sameBits(got.trainLoss, ref.trainLoss), "per-step losses differ from the uninterrupted run");
  QVERIFY2(sameBits(got.trainLr, ref.trainLr), "learning rates differ");
  QVERIFY(got.evalDone);
  QVERIFY2(sameBits(got.eval.logits, ref.eval.logits), "final eval logits differ");
  QVERIFY(got.calibration && ref.calibration);
  QVERIFY2(sameBits(got.calibration->logits, ref.calibration->logits), "calibration logits differ");
  QCOMPARE(got.interimEvals, ref.interimEvals);
  const auto refGrad = analysis::loadGradients(reference_.toStdString());
  const auto gotGrad = analysis::loadGradients(runFile.toStdString());
  QCOMPARE(gotGrad.steps, refGrad.steps);
  QVERIFY2(sameBits(gotGrad.norm, refGrad.norm), "gradient norms differ");
  QVERIFY2(gotGrad.cosine.size() == refGrad.cosine.size(), "gradient records differ in number");
  for (size_t i = 0; i < gotGrad.cosine.size(); ++i)
    QVERIFY(gotGrad.cosine[i] == refGrad.cosine[i] || (std::isnan(gotGrad.cosine[i]) && std::isnan(refGrad.cosine[i])));
  QVERIFY(!QFileInfo::exists(runFile.left(runFile.size() - 3) + ".resume.pt"));
}

void TestResume::killedRun_resumesToTheUninterruptedRunsLossesAndLogits() {
  const QString cfg = config("killed", 5);
  QProcess training;
  training.start(test::sweetBinary(), {"train", cfg});
  QVERIFY(waitPastCheckpoint(training, "killed"));
  ::kill(static_cast<pid_t>(training.processId()), SIGKILL);
  QVERIFY(training.waitForFinished(60000));

  // The killed run's file: readable, unfinished, and saying why.
  const analysis::RunData killed = analysis::loadRun(runFileIn("killed").toStdString());
  QCOMPARE(killed.status.state, RunState::Running);
  QVERIFY(analysis::writerGone(killed));
  QVERIFY(killed.status.stepsDone < killed.status.totalSteps);
  QVERIFY(!analysis::unfinishedReason(killed).empty());
  qInfo("killed at step %lld of %lld", static_cast<long long>(killed.status.stepsDone),
        static_cast<long long>(killed.status.totalSteps));

  // Without --resume: a matching checkpoint is continued.
  QElapsedTimer timer;
  timer.start();
  auto r = test::runProgram(test::sweetBinary(), {"train", cfg});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("resuming from"), qPrintable(r.err));
  qInfo("resumed run: %lld ms", timer.elapsed());
  compareWithReference(runFileIn("killed"));
  const analysis::RunData resumed = analysis::loadRun(runFileIn("killed").toStdString());
  QVERIFY(resumed.environment.contains("resumed_at_step"));
  QVERIFY(resumed.environment["resumed_at_step"].get<int64_t>() <= killed.status.stepsDone);
}

void TestResume::signalledRun_checkpointsOnTheSignalAndResumesExactly() {
  for (int signal : {SIGTERM, SIGUSR1}) {
    const QString name = signal == SIGTERM ? "terminated" : "usr1";
    const QString cfg = config(name, 0);  // no periodic checkpoints: only the signal's
    QProcess training;
    training.start(test::sweetBinary(), {"train", cfg});
    QVERIFY(waitForSteps(training, runFileIn(name), 6));
    ::kill(static_cast<pid_t>(training.processId()), signal);
    QVERIFY(training.waitForFinished(60000));
    QCOMPARE(training.exitCode(), 128 + signal);
    QVERIFY(QFileInfo::exists(checkpointIn(name)));
    const analysis::RunData stopped = analysis::loadRun(runFileIn(name).toStdString());
    QCOMPARE(stopped.status.state, RunState::Stopped);
    QVERIFY2(QString::fromStdString(stopped.status.message).contains("resume checkpoint"),
             stopped.status.message.c_str());

    auto r = test::runProgram(test::sweetBinary(), {"train", cfg, "--resume"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("at step %1").arg(stopped.status.stepsDone)), qPrintable(r.err));
    compareWithReference(runFileIn(name));
  }
}

void TestResume::resume_refusesAChangedConfigurationNamingTheKey() {
  const QString cfg = config("changed", 0);
  QProcess training;
  training.start(test::sweetBinary(), {"train", cfg});
  QVERIFY(waitForSteps(training, runFileIn("changed"), 3));
  ::kill(static_cast<pid_t>(training.processId()), SIGTERM);
  QVERIFY(training.waitForFinished(60000));
  QVERIFY(QFileInfo::exists(checkpointIn("changed")));

  auto r = test::runProgram(test::sweetBinary(), {"train", cfg, "--set", "learning_rate=0.001", "run_name=demo-ee-lr0.0005-s42"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(checkpointIn("changed")) && r.err.contains("learning_rate") && r.err.contains("--overwrite"),
           qPrintable(r.err));
  // Another thread count changes the last bits of the sums: refused as well.
  r = test::runProgram(test::sweetBinary(), {"train", cfg, "--resume", "--set", "threads=2"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("threads (1 in the checkpoint, 2 now)"), qPrintable(r.err));
  // A changed checkpoint cadence cannot change the numbers: accepted, and the run ends as
  // the uninterrupted one.
  r = test::runProgram(test::sweetBinary(), {"train", cfg, "--resume", "--set", "checkpoint_every=4"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  compareWithReference(runFileIn("changed"));
  QVERIFY(!QFileInfo::exists(checkpointIn("changed")));  // finished: nothing left to resume
}

// A stopped run whose run file and checkpoint were moved together (to a bigger disk, a
// project folder) resumes there: output_dir says where the files are, not what was
// trained, so it is left out of the comparison; any other changed key still refuses,
// naming the key and not output_dir.
void TestResume::movedRun_resumesInItsNewFolderExactly() {
  const QString cfg = config("before-move", 0);
  QProcess training;
  training.start(test::sweetBinary(), {"train", cfg});
  QVERIFY(waitForSteps(training, runFileIn("before-move"), 5));
  ::kill(static_cast<pid_t>(training.processId()), SIGTERM);
  QVERIFY(training.waitForFinished(60000));
  QVERIFY(QFileInfo::exists(checkpointIn("before-move")));
  QVERIFY(QDir().rename(dir_.filePath("before-move"), dir_.filePath("moved")));
  const QString movedCfg = config("moved", 0);

  auto r = test::runProgram(test::sweetBinary(), {"train", movedCfg, "--set", "batch_size=4"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(checkpointIn("moved")) && r.err.contains("batch_size (8 in the checkpoint, 4 now)"),
           qPrintable(r.err));
  QVERIFY2(!r.err.contains("output_dir"), qPrintable(r.err));

  r = test::runProgram(test::sweetBinary(), {"train", movedCfg});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("resuming from " + checkpointIn("moved")), qPrintable(r.err));
  compareWithReference(runFileIn("moved"));
  QVERIFY(!QFileInfo::exists(checkpointIn("moved")));
  QVERIFY(!QFileInfo::exists(dir_.filePath("before-move")));
}

void TestResume::resume_withoutCheckpointSaysWhere() {
  auto r = test::runProgram(test::sweetBinary(), {"train", config("nothing", 0), "--resume"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("no checkpoint at " + checkpointIn("nothing")), qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"train", config("nothing", 0), "--resume", "--overwrite"});
  QCOMPARE(r.exit_code, 1);  // contradictory flags
}

void TestResume::continueFlag_leavesAFinishedRunAloneAndStartsOverAnUnresumableOne() {
  const QFileInfo before(reference_);
  auto r = test::runProgram(test::sweetBinary(), {"train", config("reference", 5), "--continue"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("already finished"), qPrintable(r.out));
  QCOMPARE(QFileInfo(reference_).lastModified(), before.lastModified());

  // Killed before its first checkpoint: --continue starts it over and ends like the reference.
  const QString cfg = config("early", 0);
  QProcess training;
  training.start(test::sweetBinary(), {"train", cfg});
  QVERIFY(waitForSteps(training, runFileIn("early"), 2));
  ::kill(static_cast<pid_t>(training.processId()), SIGKILL);
  QVERIFY(training.waitForFinished(60000));
  QVERIFY(!QFileInfo::exists(checkpointIn("early")));
  r = test::runProgram(test::sweetBinary(), {"train", cfg});
  QCOMPARE(r.exit_code, 1);  // without --continue an unfinished run is not replaced silently
  r = test::runProgram(test::sweetBinary(), {"train", cfg, "--continue"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("starting it over"), qPrintable(r.err));
  compareWithReference(runFileIn("early"));
}

QTEST_GUILESS_MAIN(TestResume)
#include "test_resume.moc"
