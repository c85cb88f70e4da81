// Failure paths as a user meets them, through the real `sweet` binary: runs killed with
// kill -9 and repaired, runs stopped by signals, reruns that must not destroy earlier
// results, corrupted run files that must fail fast, bad values refused before the first
// step, and the command line's exit codes.
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>
#include <fstream>

#include "analysis/gradient_conflict.h"
#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"
#include "tests/support/run_file_wait.h"

using namespace sweet;

class TestFailurePaths : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void corruptedRunFiles_failFastNamingTheFile();
  void killedRun_repairMakesItReadableEverywhereAndKeepsEverySteps();
  void sigterm_stopsWithDistinctExitCodeAndSavesTheModel();
  void unfinishedRun_reportSaysHowFarItGot();
  void rerun_refusesToOverwriteUnlessAsked();
  void badValues_refusedBeforeTheFirstStepNamingTheKey();
  void badValues_largeOrBinaryInputIsNotEchoedWhole();
  void report_sameFileTwiceIsRefused();
  void gradients_absurdShapeAttributesAreRefused();
  void runFile_invalidFormatVersionIsRefused();
  void cli_unknownCommandAndMissingFileExitWithOne();

 private:
  QString writeConfig(const QString& name, const QString& json) const;
  QString trainConfig(const QString& outDir, int epochs, bool saveModel, const QString& extra = {}) const;
  // Starts `sweet train` and waits until its run file holds at least `steps` steps.
  bool startTraining(QProcess& process, const QStringList& args, const QString& runFile, int64_t steps);
  QString finishedRun();

  QTemporaryDir dir_;
  QString checkpoint_;
  QString finishedRun_;
};

namespace {

QString h5py() {
  // Debian's python3-h5py: /usr/bin/python3, not a pyenv shim without it.
  for (const QString& python : {QStringLiteral("/usr/bin/python3"), QStringLiteral("python3")}) {
    const auto r = test::runProgram(python, {"-c", "import h5py"}, 60000);
    if (r.exit_code == 0) return python;
  }
  return {};
}

// h5py's default open, the one a user types first.
test::ProcessResult h5pyOpen(const QString& python, const QString& file) {
  return test::runProgram(python, {"-c", "import sys, h5py; f = h5py.File(sys.argv[1], 'r'); print(f['status'][0])", file},
                          60000);
}

}  // namespace

QString TestFailurePaths::writeConfig(const QString& name, const QString& json) const {
  const QString path = dir_.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(json.toUtf8());
  return path;
}

QString TestFailurePaths::trainConfig(const QString& outDir, int epochs, bool saveModel, const QString& extra) const {
  return writeConfig(QFileInfo(outDir).fileName() + ".json",
                     QStringLiteral(R"({"task": "demo", "model": "%1", "demo_train_size": 160, "demo_eval_size": 48,
                       "calibration_size": 16, "method": "ee", "exit_layers": [1, 4, 6, 12], "learning_rate": 0.0005,
                       "batch_size": 8, "epochs": %2, "max_length": 40, "threads": 1, "output_dir": "%3",
                       "save_model": %4, "gradients": {"every": 2, "probe_size": 8}%5})")
                         .arg(checkpoint_)
                         .arg(epochs)
                         .arg(outDir)
                         .arg(saveModel ? "true" : "false")
                         .arg(extra));
}

void TestFailurePaths::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
  QVERIFY(QFileInfo::exists(checkpoint_ + "/vocab.txt"));
}

QString TestFailurePaths::finishedRun() {
  if (finishedRun_.isEmpty()) {
    const QString out = dir_.filePath("finished");
    auto r = test::runProgram(test::sweetBinary(), {"train", trainConfig(out, 1, false)});
    if (r.exit_code != 0) qWarning("%s", qPrintable(r.err));
    finishedRun_ = out + "/demo-ee-lr0.0005-s42.h5";
  }
  return finishedRun_;
}

bool TestFailurePaths::startTraining(QProcess& process, const QStringList& args, const QString& runFile, int64_t steps) {
  process.start(test::sweetBinary(), args);
  return sweet::testing::waitForRunSteps(process, runFile, steps);
}

void TestFailurePaths::corruptedRunFiles_failFastNamingTheFile() {
  const QString original = finishedRun();
  QVERIFY(QFileInfo::exists(original));
  QFile in(original);
  QVERIFY(in.open(QIODevice::ReadOnly));
  const QByteArray bytes = in.readAll();
  // No global heap (string attributes are fixed-length): the one part of an HDF5 file
  // without checksums, where damage could crash or hang libhdf5 1.10 itself, is absent,
  // so every byte below is fair game.
  QVERIFY(!bytes.contains("GCOL"));
  // Damage where the metadata lives (superblock, object headers, B-trees: the first
  // kilobytes and the file's tail), where a retried checksum used to hang the reader.
  QRandomGenerator rng(2024);
  qint64 slowest = 0;
  int failed = 0;
  const int cases = 60;
  for (int i = 0; i < cases; ++i) {
    QByteArray damaged = bytes;
    if (i % 6 == 5) {
      damaged.truncate(static_cast<int>(rng.bounded(bytes.size())));
    } else {
      for (int flip = 0; flip < 4; ++flip) {
        const int region = static_cast<int>(rng.bounded(2));
        const int at = region == 0 ? static_cast<int>(rng.bounded(std::min<qsizetype>(bytes.size(), 8192)))
                                   : static_cast<int>(bytes.size() - 1 - rng.bounded(std::min<qsizetype>(bytes.size(), 8192)));
        const auto by = static_cast<char>(1 + rng.bounded(255));
        damaged[at] = static_cast<char>(damaged[at] ^ by);
      }
    }
    const QString path = dir_.filePath(QStringLiteral("damaged-%1.h5").arg(i));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(damaged);
    out.close();
    QElapsedTimer timer;
    timer.start();
    for (int reader = 0; reader < 2; ++reader) {
      try {
        if (reader == 0) analysis::loadRun(path.toStdString());
        else analysis::loadGradients(path.toStdString());
      } catch (const std::runtime_error& e) {
        ++failed;
        QVERIFY2(QString::fromStdString(e.what()).contains(path), e.what());
      }
    }
    slowest = std::max(slowest, timer.elapsed());
  }
  qInfo("%d damaged files, %d reader errors, slowest pair of reads %lld ms", cases, failed, slowest);
  QVERIFY(failed > 0);
  QVERIFY2(slowest < 2000, qPrintable(QStringLiteral("a damaged file took %1 ms to fail").arg(slowest)));
}

void TestFailurePaths::killedRun_repairMakesItReadableEverywhereAndKeepsEverySteps() {
  const QString out = dir_.filePath("killed");
  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5";
  const QString python = h5py();
  // Killed at several moments, including the very first steps.
  for (int64_t killAt : {1, 3, 8}) {
    QDir(out).removeRecursively();
    QProcess training;
    QVERIFY(startTraining(training, {"train", trainConfig(out, 40, true)}, runFile, killAt));
    ::kill(static_cast<pid_t>(training.processId()), SIGKILL);
    QVERIFY(training.waitForFinished());

    analysis::RunData killed = analysis::loadRun(runFile.toStdString());
    QVERIFY(killed.status.flaggedOpen);
    QCOMPARE(killed.status.state, RunState::Running);
    QVERIFY(analysis::writerGone(killed));
    QVERIFY(killed.status.stepsDone >= killAt);
    // No completed step lost (a step in flight may have reached the disk before /status).
    QVERIFY(killed.trainSteps >= killed.status.stepsDone);
    if (!python.isEmpty()) QVERIFY(h5pyOpen(python, runFile).exit_code != 0);
    QVERIFY(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model"));

    auto r = test::runProgram(test::sweetBinary(), {"repair", runFile});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("marked failed at step " + QString::number(killed.status.stepsDone)), qPrintable(r.out));

    if (!python.isEmpty()) {
      auto opened = h5pyOpen(python, runFile);
      QVERIFY2(opened.exit_code == 0, qPrintable(opened.err));
      QCOMPARE(opened.out.trimmed(), QStringLiteral("3"));  // failed
    }
    const QString h5dump = QStandardPaths::findExecutable("h5dump");
    if (!h5dump.isEmpty()) QCOMPARE(test::runProgram(h5dump, {"-H", runFile}).exit_code, 0);
    analysis::RunData repaired = analysis::loadRun(runFile.toStdString());
    QVERIFY(!repaired.status.flaggedOpen);
    QCOMPARE(repaired.status.state, RunState::Failed);
    QCOMPARE(repaired.status.stepsDone, killed.status.stepsDone);
    QCOMPARE(repaired.trainSteps, killed.trainSteps);
    QCOMPARE(repaired.trainLoss, killed.trainLoss);
    QVERIFY(QString::fromStdString(repaired.status.message).contains("interrupted"));
    // Repairing twice is harmless.
    r = test::runProgram(test::sweetBinary(), {"repair", runFile});
    QVERIFY2(r.exit_code == 0 && r.out.contains("nothing to repair"), qPrintable(r.out + r.err));
  }
  if (python.isEmpty()) QSKIP("python3-h5py is not installed: checked with sweet's reader and h5dump only");
}

void TestFailurePaths::sigterm_stopsWithDistinctExitCodeAndSavesTheModel() {
  const QString out = dir_.filePath("terminated");
  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5";
  for (int signal : {SIGTERM, SIGHUP, SIGINT}) {
    QDir(out).removeRecursively();
    QProcess training;
    QVERIFY(startTraining(training, {"train", trainConfig(out, 40, true)}, runFile, 2));
    ::kill(static_cast<pid_t>(training.processId()), signal);
    QVERIFY(training.waitForFinished(120000));
    QCOMPARE(training.exitStatus(), QProcess::NormalExit);
    QCOMPARE(training.exitCode(), 128 + signal);
    const analysis::RunData run = analysis::loadRun(runFile.toStdString());
    QVERIFY(!run.status.flaggedOpen);
    QCOMPARE(run.status.state, RunState::Stopped);
    QCOMPARE(run.trainSteps, run.status.stepsDone);
    QVERIFY(QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model/model.safetensors"));
    QVERIFY(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model.partial"));
  }
}

void TestFailurePaths::unfinishedRun_reportSaysHowFarItGot() {
  const QString out = dir_.filePath("unfinished");
  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5";
  QProcess training;
  QVERIFY(startTraining(training, {"train", trainConfig(out, 40, false)}, runFile, 3));
  ::kill(static_cast<pid_t>(training.processId()), SIGTERM);
  QVERIFY(training.waitForFinished(120000));
  const analysis::RunData run = analysis::loadRun(runFile.toStdString());

  auto r = test::runProgram(test::sweetBinary(), {"report", runFile});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QString said = r.out + r.err;
  QVERIFY2(said.contains(QStringLiteral("stopped at step %1 of %2").arg(run.status.stepsDone).arg(run.status.totalSteps)),
           qPrintable(said));
  QVERIFY2(said.contains("before its evaluation"), qPrintable(said));
  QVERIFY2(said.contains("training loss"), qPrintable(said));
  QVERIFY2(said.contains("gradient records"), qPrintable(said));
  QVERIFY2(!said.contains("non-finite"), qPrintable(said));

  // With a finished run beside it, the finished one is reported and the other explained.
  r = test::runProgram(test::sweetBinary(), {"report", runFile, finishedRun()});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2((r.out + r.err).contains("before its evaluation"), qPrintable(r.out + r.err));

  // The gradient records of an unfinished run are there to read.
  r = test::runProgram(test::sweetBinary(), {"gradients", runFile});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
}

void TestFailurePaths::rerun_refusesToOverwriteUnlessAsked() {
  const QString out = dir_.filePath("rerun");
  const QString config = trainConfig(out, 1, true, R"(, "max_steps": 2)");
  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5";
  auto r = test::runProgram(test::sweetBinary(), {"train", config});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QFile first(runFile);
  QVERIFY(first.open(QIODevice::ReadOnly));
  const QByteArray before = first.readAll();
  first.close();

  r = test::runProgram(test::sweetBinary(), {"train", config});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("already exists") && r.err.contains("--overwrite"), qPrintable(r.err));
  QVERIFY(first.open(QIODevice::ReadOnly));
  QCOMPARE(first.readAll(), before);
  first.close();
  QVERIFY(QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model/model.safetensors"));

  r = test::runProgram(test::sweetBinary(), {"train", config, "--overwrite"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model/model.safetensors"));
  QVERIFY(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model.old"));
}

void TestFailurePaths::badValues_refusedBeforeTheFirstStepNamingTheKey() {
  const QString out = dir_.filePath("bad");
  const QString config = trainConfig(out, 1, false);
  // A vocabulary longer than the embedding table.
  const QString longVocab = dir_.filePath("long-vocab-ck");
  QDir().mkpath(longVocab);
  for (const char* name : {"config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"})
    QVERIFY(QFile::copy(checkpoint_ + "/" + name, longVocab + "/" + name));
  {
    std::ofstream vocab((longVocab + "/vocab.txt").toStdString(), std::ios::app);
    for (int i = 0; i < 400; ++i) vocab << "extra" << i << "\n";
  }
  const QString emptyEval = writeConfig("empty.tsv", "sentence\tlabel\n");
  const QString someTrain = writeConfig("train.tsv", "sentence\tlabel\nthe film is good\t1\nthe film is bad\t0\n");
  struct Case {
    QStringList sets;
    QString mustSay;
  };
  const QList<Case> cases = {
      {{"eval_batch_size=0"}, "--set eval_batch_size: eval_batch_size must be positive"},
      {{"max_length=500"}, "max_length 500 exceeds the checkpoint's max_position_embeddings"},
      {{"model=" + longVocab}, "more than the checkpoint's vocab_size"},
      {{"epochs=1.5"}, "--set epochs: epochs must be an integer, not 1.5"},
      {{"threads=-3"}, "threads must not be negative"},
      {{"exit_layers=[]"}, "exit_layers must list at least one layer"},
      {{"exit_layers=[2,1]"}, "exit_layers"},
      {{"exit_layers=[1,40]"}, "exit_layers"},
      {{"learning_rate=\"fast\""}, "--set learning_rate: learning_rate must be a number, not \"fast\""},
      {{"gradients.every=x"}, "--set gradients.every: gradients.every must be an integer"},
      {{"task=rte", "data_dir=" + dir_.filePath("no-such-glue")}, "data_dir '" + dir_.filePath("no-such-glue") + "': no such folder"},
      {{"task=sst2", "train_file=" + someTrain, "eval_file=" + emptyEval}, emptyEval + ": no usable examples"},
      {{"demo_eval_size=0"}, "demo_eval_size must be positive"},
      {{"task=qnli2"}, "--set task: task must be sst2, mrpc"},
  };
  for (const Case& c : cases) {
    QStringList args = {"train", config};
    for (const QString& s : c.sets) args << "--set" << s;
    QElapsedTimer timer;
    timer.start();
    auto r = test::runProgram(test::sweetBinary(), args);
    QVERIFY2(r.exit_code == 1, qPrintable(c.sets.join(' ') + ": exit " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains(c.mustSay), qPrintable(c.sets.join(' ') + ": " + r.err));
    QVERIFY2(!r.err.contains("Exception raised from"), qPrintable(r.err));
    QVERIFY2(r.err.count('\n') == 1, qPrintable(r.err));
    QVERIFY2(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.h5"), qPrintable(c.sets.join(' ') + " started a run"));
  }
  // A type error in the config file itself names the file and the key.
  const QString typed = writeConfig("typed.json", R"({"task": "demo", "batch_size": "16"})");
  auto r = test::runProgram(test::sweetBinary(), {"train", typed});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(typed + ": batch_size must be an integer"), qPrintable(r.err));
}

void TestFailurePaths::badValues_largeOrBinaryInputIsNotEchoedWhole() {
  QByteArray huge = R"({"task": ")";
  huge += QByteArray(1 << 20, 'x');
  huge += "\x01\x02\x1b[31m";
  const QString config = writeConfig("huge.json", QString::fromLatin1(huge) + R"("})");
  for (const QStringList& args : {QStringList{"train", config}, QStringList{"train", config, "--set", "oops=" + QString(5000, 'y')}}) {
    auto r = test::runProgram(test::sweetBinary(), args);
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.size() < 1500, qPrintable(r.err.left(300)));
    QVERIFY(!r.err.contains(QChar(0x1b)));
  }
  const QString binary = writeConfig("binary.json", QString::fromLatin1(QByteArray("\x00\x01{\xff\xfe garbage", 14)) +
                                                        QString(100000, 'z'));
  auto r = test::runProgram(test::sweetBinary(), {"train", binary});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.size() < 1500, qPrintable(r.err.left(300)));
}

void TestFailurePaths::report_sameFileTwiceIsRefused() {
  const QString run = finishedRun();
  auto r = test::runProgram(test::sweetBinary(), {"report", run, run});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("given twice"), qPrintable(r.err));
  // The same file under another name is the same run too.
  const QString link = dir_.filePath("same-run-link.h5");
  QVERIFY(QFile::link(run, link));
  r = test::runProgram(test::sweetBinary(), {"report", run, link});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("given twice"), qPrintable(r.err));
}

void TestFailurePaths::gradients_absurdShapeAttributesAreRefused() {
  const QString copy = dir_.filePath("absurd-rows.h5");
  QVERIFY(QFile::copy(finishedRun(), copy));
  QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
  {
    H5::H5File file(copy.toStdString(), H5F_ACC_RDWR);
    H5::Group g = file.openGroup("/gradients");
    h5::writeInt64Attr(g, "rows", int64_t{1} << 40);
  }
  try {
    analysis::rawMeasures(copy.toStdString(), 0, 0);
    QFAIL("absurd rows accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("rows"), e.what());
  }
  auto r = test::runProgram(test::sweetBinary(), {"gradients", copy});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(copy) && r.err.contains("rows"), qPrintable(r.err));

  const QString foreign = dir_.filePath("foreign-format.h5");
  QVERIFY(QFile::copy(finishedRun(), foreign));
  QFile::setPermissions(foreign, QFile::ReadOwner | QFile::WriteOwner);
  {
    H5::H5File file(foreign.toStdString(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    h5::writeInt64Attr(root, "format_version", 7);
  }
  r = test::runProgram(test::sweetBinary(), {"gradients", foreign});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("format_version 7"), qPrintable(r.err));
}

void TestFailurePaths::runFile_invalidFormatVersionIsRefused() {
  const QString copy = dir_.filePath("negative-version.h5");
  QVERIFY(QFile::copy(finishedRun(), copy));
  QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
  {
    H5::H5File file(copy.toStdString(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    h5::writeInt64Attr(root, "format_version", -1);
  }
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, analysis::loadRun(copy.toStdString()));
}

void TestFailurePaths::cli_unknownCommandAndMissingFileExitWithOne() {
  auto r = test::runProgram(test::sweetBinary(), {"no-such-command", "--help"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("unknown command 'no-such-command'"), qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"report", dir_.filePath("missing.h5")});
  QCOMPARE(r.exit_code, 1);
  r = test::runProgram(test::sweetBinary(), {"report", finishedRun(), "--calibrate", "--calibrate-on-eval"});
  QCOMPARE(r.exit_code, 1);
  r = test::runProgram(test::sweetBinary(), {"report", "--help"});
  QCOMPARE(r.exit_code, 0);
}

QTEST_GUILESS_MAIN(TestFailurePaths)
#include "test_failure_paths.moc"
