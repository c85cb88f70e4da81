// The `sweet-workbench` entry point as a user starts it: the real binary, offscreen, with a
// run queued from the command line, under a file-size limit (`ulimit -f`, a quota's cousin
// on clusters). The run's first checkpoint is larger than the limit: the run must fail with
// the clean write error naming the file, and the window must live on and quit normally
// (SIGXFSZ's default action used to kill it, and every run it held, mid-write).
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>

#include "analysis/run_data.h"
#include "tests/support/demo_train_config.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestWorkbenchMain : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void fileSizeLimit_queuedRunFailsCleanlyAndTheWindowLives();

 private:
  QTemporaryDir dir_;
  QString checkpoint_;
};

void TestWorkbenchMain::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
}

void TestWorkbenchMain::fileSizeLimit_queuedRunFailsCleanlyAndTheWindowLives() {
  const QString out = dir_.filePath("limited");
  const QString config = dir_.filePath("limited.json");
  QFile f(config);
  QVERIFY(f.open(QIODevice::WriteOnly));
  // A checkpoint at every step: the first write past the limit comes within a second.
  f.write(sweet::testing::tinyDemoTrainConfig(checkpoint_, out, R"(, "checkpoint_every": 1)"));
  f.close();

  QProcess gui;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("QT_QPA_PLATFORM", "offscreen");
  env.insert("XDG_CONFIG_HOME", dir_.filePath("config-home"));  // the user's settings stay untouched
  env.insert("OMP_WAIT_POLICY", "PASSIVE");
  gui.setProcessEnvironment(env);
  // 600 KB: the run file (tens of KB) fits, the resume checkpoint (weights and AdamW
  // moments, megabytes) does not.
  gui.setChildProcessModifier([] {
    const rlimit limit{600 * 1024, 600 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
  });
  // --screenshot closes the window shortly after start-up; the queued run is stopped (or
  // has failed by then) and the window closes once nothing runs.
  gui.start(QDir(QStringLiteral(SWEET_BINARY_DIR)).filePath("app/sweet-workbench"),
            {"--queue", config, "--screenshot", dir_.filePath("window.png")});
  QVERIFY(gui.waitForFinished(180000));
  const QString log = QString::fromUtf8(gui.readAllStandardError());
  QVERIFY2(gui.exitStatus() == QProcess::NormalExit,
           qPrintable("the window was killed (signal); stderr: " + log));
  QCOMPARE(gui.exitCode(), 0);

  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5";
  const analysis::RunData run = analysis::loadRun(runFile.toStdString());
  QVERIFY2(run.status.state == RunState::Failed || run.status.state == RunState::Stopped,
           run.status.message.c_str());
  const QString message = QString::fromStdString(run.status.message);
  QVERIFY2(message.contains(out + "/demo-ee-lr0.0005-s42.resume.pt") && message.contains("File too large"),
           qPrintable(message));
  // Nothing half-written is left to fill the disk.
  QVERIFY2(QDir(out).entryList({"*.partial"}, QDir::AllEntries | QDir::Hidden).isEmpty(),
           qPrintable(QDir(out).entryList().join(", ")));
}

QTEST_GUILESS_MAIN(TestWorkbenchMain)
#include "test_workbench_main.moc"
