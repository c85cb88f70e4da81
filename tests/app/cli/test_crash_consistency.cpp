// Issue 22's write failures through the real `sweet` binary: a disk that fills while the run
// file is created, while a periodic or a stop checkpoint is written, while a step or the
// evaluation is appended and while the model is saved, and a folder that turns read-only
// mid-run. A full disk is a file-size limit (RLIMIT_FSIZE: EFBIG, no privileges needed) and,
// where this process may mount one, a small tmpfs (ENOSPC). Each must be a clean stop: one
// message naming the file and the cause, exit status 1 (never an abort, 134, or a crash at
// exit, 139), no half-written file left, and nothing finished lost: an earlier run in the
// same folder stays byte-identical and an earlier good checkpoint still resumes. (Two
// writers, damaged checkpoints and oversized values: test_run_safety.)
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "analysis/run_data.h"
#include "tests/support/demo_train_config.h"
#include "tests/support/process_runner.h"
#include "tests/support/run_file_wait.h"
#include "tests/support/test_paths.h"

using namespace sweet;

namespace {

const QString kRun = QStringLiteral("demo-ee-lr0.0005-s42");

// How the child `sweet` meets the disk: a file-size limit (0 = none), and whether a
// folder's missing write permission binds it (root ignores permissions unless it drops
// CAP_DAC_OVERRIDE from its bounding set, which survives exec).
struct Limits {
  rlim_t fileBytes = 0;
  bool honourPermissions = false;
};

void applyLimits(QProcess& p, Limits limits) {
  p.setChildProcessModifier([limits] {
    if (limits.fileBytes > 0) {
      const rlimit r{limits.fileBytes, limits.fileBytes};
      ::setrlimit(RLIMIT_FSIZE, &r);
    }
    if (limits.honourPermissions) {
      ::prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);  // fails harmlessly without privileges
      ::prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
    }
  });
}

test::ProcessResult runSweet(const QStringList& args, Limits limits = {}) {
  QProcess p;
  applyLimits(p, limits);
  p.start(test::sweetBinary(), args);
  test::ProcessResult r;
  if (!p.waitForFinished(240000)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out: sweet " + args.join(' ');
    return r;
  }
  r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : 128 + p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// The error line of a run's stderr (the progress bar's carriage returns dropped).
QString errorLine(const QString& err) {
  for (const QString& line : err.split('\n'))
    if (line.startsWith("sweet train: error: ")) return line;
  return {};
}

// A tmpfs of `size` mounted on a fresh folder, unmounted when this goes.
struct SmallDisk {
  QString path, why;
  SmallDisk(const QString& folder, const char* size) : path(folder) {
    QDir().mkpath(path);
    const QByteArray options = QByteArray("size=") + size + ",mode=0755";
    if (::mount("sweet-test", path.toLocal8Bit().constData(), "tmpfs", MS_NOSUID | MS_NODEV, options.constData()) != 0)
      why = QStringLiteral("cannot mount a tmpfs here (%1): the file-size-limit variant covers a full disk")
                .arg(QString::fromLocal8Bit(std::strerror(errno)));
  }
  ~SmallDisk() {
    if (why.isEmpty()) ::umount2(path.toLocal8Bit().constData(), MNT_DETACH);
  }
};

}  // namespace

class TestCrashConsistency : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void runFileCreation_fileSizeLimit_cleanStopNothingLeft();
  void runFileCreation_fullTmpfs_cleanStopNothingLeft();
  void periodicCheckpoint_fileSizeLimit_earlierCheckpointKeptAndResumes();
  void periodicCheckpoint_fullTmpfs_earlierCheckpointKeptAndResumes();
  void stopCheckpoint_fileSizeLimit_stoppedWithStatusOne();
  void modelSave_fileSizeLimit_noHalfModelLeft();
  void runFileWrite_fileSizeLimit_repairMarksWhatIsLeft();
  void readOnlyFolder_duringRun_namesTheFileAndTheCause();
  void speedMeasurement_fileSizeLimit_finishedRunFileUnchanged();
  void speedMeasurement_fullTmpfs_finishedRunFileUnchanged();
  void sweepConfigs_fileSizeLimit_refusedBeforeAnyRunStarts();

 private:
  QString trainConfig(const QString& outDir, const QString& extra = {}, int epochs = 1) const;
  // A copy of a finished run (earlier.h5, earlier.model/) in `folder`; returns its digest.
  QByteArray addEarlierRun(const QString& folder) const;
  QByteArray earlierDigest(const QString& folder) const;
  // Half-written or stale files in `folder`: *.partial, *.resuming, *.lock.
  QStringList leftovers(const QString& folder) const;
  void verifyCleanStop(const test::ProcessResult& r, const QString& message);
  void verifySpeedMeasurementRefused(const QString& out, Limits limits, const QString& cause);
  QByteArray readAll(const QString& path) const;

  QTemporaryDir dir_;
  QString checkpoint_, earlier_;
};

QString TestCrashConsistency::trainConfig(const QString& outDir, const QString& extra, int epochs) const {
  const QString path = dir_.filePath(QFileInfo(outDir).fileName() + ".json");
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(sweet::testing::tinyDemoTrainConfig(checkpoint_, outDir, extra, epochs));
  return path;
}

QByteArray TestCrashConsistency::readAll(const QString& path) const {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray TestCrashConsistency::earlierDigest(const QString& folder) const {
  QCryptographicHash hash(QCryptographicHash::Sha256);
  QStringList files;
  QDirIterator it(folder, {"earlier*"}, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) files << it.next();
  QDirIterator inModel(folder + "/earlier.model", QDir::Files);
  while (inModel.hasNext()) files << inModel.next();
  files.sort();
  files.removeDuplicates();
  for (const QString& file : files) {
    hash.addData(QDir(folder).relativeFilePath(file).toUtf8());
    hash.addData(readAll(file));
  }
  return files.size() < 4 ? QByteArray() : hash.result();  // earlier.h5 and three model files at least
}

QByteArray TestCrashConsistency::addEarlierRun(const QString& folder) const {
  QDir().mkpath(folder + "/earlier.model");
  QFile::copy(earlier_ + "/earlier.h5", folder + "/earlier.h5");
  for (const QString& file : QDir(earlier_ + "/earlier.model").entryList(QDir::Files))
    QFile::copy(earlier_ + "/earlier.model/" + file, folder + "/earlier.model/" + file);
  return earlierDigest(folder);
}

QStringList TestCrashConsistency::leftovers(const QString& folder) const {
  return QDir(folder).entryList({"*.partial", "*.resuming", "*.lock"}, QDir::AllEntries | QDir::Hidden);
}

void TestCrashConsistency::verifyCleanStop(const test::ProcessResult& r, const QString& message) {
  QVERIFY2(r.exit_code == 1, qPrintable("exit " + QString::number(r.exit_code) + ": " + r.err.right(1500)));
  QVERIFY2(!r.err.contains("terminate called") && !r.err.contains("H5Fclose failed"), qPrintable(r.err.right(1500)));
  QVERIFY2(errorLine(r.err).contains(message), qPrintable("expected \"" + message + "\" in: " + r.err.right(1500)));
}

void TestCrashConsistency::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
  // The finished run every case keeps a copy of beside its own outputs.
  earlier_ = dir_.filePath("earlier");
  const auto r = runSweet({"train", trainConfig(earlier_, R"(, "run_name": "earlier", "save_model": true)")});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(analysis::loadRun((earlier_ + "/earlier.h5").toStdString()).status.state == RunState::Finished);
}

void TestCrashConsistency::runFileCreation_fileSizeLimit_cleanStopNothingLeft() {
  const QString out = dir_.filePath("create-limit");
  const QByteArray before = addEarlierRun(out);
  QVERIFY(!before.isEmpty());
  // Used to crash at exit in H5F__close_cb (139), leaving a half-made file that `sweet
  // repair` refused while the message sent the user to `sweet repair`.
  const auto r = runSweet({"train", trainConfig(out)}, {8 * 1024, false});
  verifyCleanStop(r, out + "/" + kRun + ".h5: cannot create run file: File too large");
  QVERIFY(!QFileInfo::exists(out + "/" + kRun + ".h5"));
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  QCOMPARE(earlierDigest(out), before);
}

void TestCrashConsistency::runFileCreation_fullTmpfs_cleanStopNothingLeft() {
  const QString out = dir_.filePath("create-tmpfs");
  const SmallDisk disk(out, "36k");  // room for the earlier run's file and a lock, not for a new run file
  if (!disk.why.isEmpty()) QSKIP(qPrintable(disk.why));
  QVERIFY(QFile::copy(earlier_ + "/earlier.h5", out + "/earlier.h5"));
  const QByteArray before = readAll(out + "/earlier.h5");
  const auto r = runSweet({"train", trainConfig(out)});
  verifyCleanStop(r, out + "/" + kRun + ".h5: cannot create run file: No space left on device");
  QVERIFY(!QFileInfo::exists(out + "/" + kRun + ".h5"));
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  QCOMPARE(readAll(out + "/earlier.h5"), before);
}

void TestCrashConsistency::periodicCheckpoint_fileSizeLimit_earlierCheckpointKeptAndResumes() {
  const QString out = dir_.filePath("periodic-limit");
  const QByteArray before = addEarlierRun(out);
  const QString config = trainConfig(out, R"(, "checkpoint_every": 4)", 3);
  const QString runFile = out + "/" + kRun + ".h5", checkpoint = out + "/" + kRun + ".resume.pt";
  // A good checkpoint first: a stop by SIGTERM writes one.
  QProcess first;
  first.start(test::sweetBinary(), {"train", config});
  QVERIFY(sweet::testing::waitForRunSteps(first, runFile, 6));
  ::kill(static_cast<pid_t>(first.processId()), SIGTERM);
  QVERIFY(first.waitForFinished(120000));
  QCOMPARE(first.exitCode(), 143);
  const QByteArray good = readAll(checkpoint), goodSum = readAll(checkpoint + ".sha256");
  QVERIFY(good.size() > 300 * 1024 && !goodSum.isEmpty());
  const int64_t goodStep = analysis::loadRun(runFile.toStdString()).status.stepsDone;
  // The resumed run's next periodic checkpoint meets the limit. It used to abort
  // ("terminate called ... unexpected pos", 134), the run file left "running" and a
  // .resume.pt.partial filling the disk.
  const auto r = runSweet({"train", config}, {300 * 1024, false});
  verifyCleanStop(r, checkpoint + ": cannot write the resume checkpoint (" + checkpoint +
                         ".partial: cannot write: File too large); the previous checkpoint is kept");
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  QCOMPARE(readAll(checkpoint), good);
  QCOMPARE(readAll(checkpoint + ".sha256"), goodSum);
  const auto failed = analysis::loadRun(runFile.toStdString());
  QVERIFY(failed.status.state == RunState::Failed);
  QVERIFY(!failed.status.flaggedOpen);
  QVERIFY2(QString::fromStdString(failed.status.message).contains("File too large"), failed.status.message.c_str());
  QVERIFY(failed.status.stepsDone > goodStep);
  // The good checkpoint still resumes the run to its end.
  const auto resumed = runSweet({"train", config, "--set", "checkpoint_every=0"});
  QVERIFY2(resumed.exit_code == 0, qPrintable(resumed.err.right(1500)));
  QVERIFY2(resumed.err.contains("resuming from " + checkpoint), qPrintable(resumed.err.right(1500)));
  QVERIFY(analysis::loadRun(runFile.toStdString()).status.state == RunState::Finished);
  QCOMPARE(earlierDigest(out), before);
}

void TestCrashConsistency::periodicCheckpoint_fullTmpfs_earlierCheckpointKeptAndResumes() {
  const QString out = dir_.filePath("periodic-tmpfs");
  // Room for the run file and one checkpoint (5.6 MB), not for a second one beside it.
  const SmallDisk disk(out, "8m");
  if (!disk.why.isEmpty()) QSKIP(qPrintable(disk.why));
  const QString config = trainConfig(out, R"(, "checkpoint_every": 4)", 3);
  const QString runFile = out + "/" + kRun + ".h5", checkpoint = out + "/" + kRun + ".resume.pt";
  const auto r = runSweet({"train", config});
  verifyCleanStop(r, checkpoint + ": cannot write the resume checkpoint (" + checkpoint +
                         ".partial: cannot write: No space left on device); the previous checkpoint is kept");
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  const auto failed = analysis::loadRun(runFile.toStdString());
  QVERIFY(failed.status.state == RunState::Failed);
  QCOMPARE(failed.status.stepsDone, int64_t{8});  // the step of the checkpoint that did not fit
  QVERIFY(QFileInfo::exists(checkpoint + ".sha256"));
  // The checkpoint of step 4, on the same disk, resumes the run to its end.
  const auto resumed = runSweet({"train", config, "--set", "checkpoint_every=0"});
  QVERIFY2(resumed.exit_code == 0, qPrintable(resumed.err.right(1500)));
  QVERIFY2(resumed.err.contains("resuming from " + checkpoint), qPrintable(resumed.err.right(1500)));
  QVERIFY(analysis::loadRun(runFile.toStdString()).status.state == RunState::Finished);
}

void TestCrashConsistency::stopCheckpoint_fileSizeLimit_stoppedWithStatusOne() {
  const QString out = dir_.filePath("stop-limit");
  const QByteArray before = addEarlierRun(out);
  const QString runFile = out + "/" + kRun + ".h5", checkpoint = out + "/" + kRun + ".resume.pt";
  QProcess training;
  applyLimits(training, {300 * 1024, false});
  training.start(test::sweetBinary(), {"train", trainConfig(out, {}, 8)});
  QVERIFY(sweet::testing::waitForRunSteps(training, runFile, 3));
  ::kill(static_cast<pid_t>(training.processId()), SIGTERM);
  QVERIFY(training.waitForFinished(120000));
  test::ProcessResult r;
  r.exit_code = training.exitStatus() == QProcess::NormalExit ? training.exitCode() : 128 + training.exitCode();
  r.err = QString::fromUtf8(training.readAllStandardError());
  verifyCleanStop(r, checkpoint + ": cannot write the resume checkpoint (" + checkpoint + ".partial: cannot write: File too large)");
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  QVERIFY(!QFileInfo::exists(checkpoint));
  const auto stopped = analysis::loadRun(runFile.toStdString());
  QVERIFY(stopped.status.state == RunState::Stopped);
  QVERIFY2(QString::fromStdString(stopped.status.message).startsWith("stopped on request, then: " + checkpoint),
           stopped.status.message.c_str());
  QCOMPARE(earlierDigest(out), before);
}

void TestCrashConsistency::modelSave_fileSizeLimit_noHalfModelLeft() {
  const QString out = dir_.filePath("model-limit");
  const QByteArray before = addEarlierRun(out);
  const QString runFile = out + "/" + kRun + ".h5";
  // The weights (1.7 MB) do not fit under the limit; the run file does.
  const auto r = runSweet({"train", trainConfig(out, R"(, "save_model": true)")}, {1024 * 1024, false});
  verifyCleanStop(r, out + "/" + kRun + ".model.partial/model.safetensors.partial: cannot write: File too large");
  QVERIFY(!QFileInfo::exists(out + "/" + kRun + ".model"));
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  const auto failed = analysis::loadRun(runFile.toStdString());
  QVERIFY(failed.status.state == RunState::Failed);
  QVERIFY(!failed.status.flaggedOpen);
  QCOMPARE(earlierDigest(out), before);
}

void TestCrashConsistency::runFileWrite_fileSizeLimit_repairMarksWhatIsLeft() {
  const QString out = dir_.filePath("append-limit");
  const QByteArray before = addEarlierRun(out);
  const QString runFile = out + "/" + kRun + ".h5";
  // A limit just under the finished file's size: the run file itself fills up late in the
  // run (its last steps or its evaluation), and cannot even take its "failed" state.
  const qint64 finishedSize = QFileInfo(earlier_ + "/earlier.h5").size();
  const auto r = runSweet({"train", trainConfig(out)}, {static_cast<rlim_t>(finishedSize - 1024), false});
  verifyCleanStop(r, runFile + ": cannot ");
  QVERIFY2(errorLine(r.err).endsWith(": File too large"), qPrintable(errorLine(r.err)));
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  // Whatever it could write, `sweet repair` makes it a file every HDF5 reader opens, and
  // honest: not "running", not "finished".
  const auto repaired = runSweet({"repair", runFile});
  QVERIFY2(repaired.exit_code == 0, qPrintable(repaired.err));
  const auto run = analysis::loadRun(runFile.toStdString());
  QVERIFY(!run.status.flaggedOpen);
  QVERIFY(run.status.state == RunState::Failed);
  QVERIFY(!run.evalDone);
  QCOMPARE(earlierDigest(out), before);
  // A leftover of a process killed while saving (an older build left these on a full
  // disk) goes too; a second repair has nothing left to do.
  QFile partial(out + "/" + kRun + ".resume.pt.partial");
  QVERIFY(partial.open(QIODevice::WriteOnly));
  partial.write(QByteArray(4096, 'x'));
  partial.close();
  const auto again = runSweet({"repair", runFile});
  QVERIFY2(again.exit_code == 0 && again.out.contains("removed the half-written " + partial.fileName()),
           qPrintable(again.out + again.err));
  QVERIFY(!partial.exists());
}

void TestCrashConsistency::readOnlyFolder_duringRun_namesTheFileAndTheCause() {
  const QString out = dir_.filePath("read-only");
  const QByteArray before = addEarlierRun(out);
  const QString runFile = out + "/" + kRun + ".h5", checkpoint = out + "/" + kRun + ".resume.pt";
  const auto readOnly = QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                        QFileDevice::ReadOther | QFileDevice::ExeOther;
  // Read-only from the start: refused before anything is read or written.
  QVERIFY(QFile::setPermissions(out, readOnly));
  QProcess probe;  // root that cannot drop CAP_DAC_OVERRIDE writes anywhere
  applyLimits(probe, {0, true});
  probe.start("/bin/sh", {"-c", "echo > '" + out + "/probe'"});
  QVERIFY(probe.waitForFinished(30000));
  if (QFileInfo::exists(out + "/probe")) {
    QFile::setPermissions(out, readOnly | QFileDevice::WriteOwner);
    QSKIP("a folder's permissions do not bind this process's children (root without CAP_SETPCAP)");
  }
  const auto refused = runSweet({"train", trainConfig(out, {}, 8)}, {0, true});
  QFile::setPermissions(out, readOnly | QFileDevice::WriteOwner);
  verifyCleanStop(refused, out + "/" + kRun + ".lock: cannot create the lock file: Permission denied");
  QVERIFY(!QFileInfo::exists(runFile));
  QProcess training;
  applyLimits(training, {0, true});
  training.start(test::sweetBinary(), {"train", trainConfig(out, {}, 8)});
  QVERIFY(sweet::testing::waitForRunSteps(training, runFile, 3));
  // The open run file keeps taking steps; new files (the stop's checkpoint) cannot be made.
  QVERIFY(QFile::setPermissions(out, readOnly));
  ::kill(static_cast<pid_t>(training.processId()), SIGTERM);
  QVERIFY(training.waitForFinished(120000));
  QFile::setPermissions(out, readOnly | QFileDevice::WriteOwner);
  test::ProcessResult r;
  r.exit_code = training.exitStatus() == QProcess::NormalExit ? training.exitCode() : 128 + training.exitCode();
  r.err = QString::fromUtf8(training.readAllStandardError());
  // It used to say "File ....partial cannot be opened." without why.
  verifyCleanStop(r, checkpoint + ": cannot write the resume checkpoint (" + checkpoint +
                         ".partial: cannot create: Permission denied)");
  const auto stopped = analysis::loadRun(runFile.toStdString());
  QVERIFY(stopped.status.state == RunState::Stopped);
  QVERIFY(!stopped.status.flaggedOpen);
  QVERIFY(!QFileInfo::exists(checkpoint + ".partial"));
  QCOMPARE(earlierDigest(out), before);
}

QTEST_GUILESS_MAIN(TestCrashConsistency)
#include "test_crash_consistency.moc"

// `sweet infer --measure` stores its timings in a finished run's file. It used to open the
// file for writing in place: a disk that filled mid-write left the finished run's file
// unreadable ("incorrect metadata checksum") and the process crashed at exit (SIGSEGV).
// Now the measurement is added to a copy that replaces the file only once it is on disk.
void TestCrashConsistency::verifySpeedMeasurementRefused(const QString& out, Limits limits, const QString& cause) {
  const QString runFile = out + "/earlier.h5";
  const QByteArray before = readAll(runFile);
  const auto r = runSweet({"infer", out + "/earlier.model", "--measure", "--repeats", "1", "--warmup", "0",
                           "--batch-size", "16", "--max-instances", "16"},
                          limits);
  QVERIFY2(r.exit_code == 1, qPrintable("exit " + QString::number(r.exit_code) + ": " + r.err.right(1500)));
  QVERIFY2(r.err.contains("sweet infer: error: " + runFile + ": cannot store the speed measurement /speed/") &&
               r.err.contains(runFile + ".speed.partial: cannot write: " + cause) &&
               r.err.contains("the run file is unchanged"),
           qPrintable(r.err.right(1500)));
  QVERIFY2(!r.err.contains("H5Dclose failed") && !r.err.contains("H5Fclose failed"), qPrintable(r.err.right(1500)));
  QCOMPARE(readAll(runFile), before);
  QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(", ")));
  QVERIFY(analysis::loadRun(runFile.toStdString()).status.state == RunState::Finished);
}

void TestCrashConsistency::speedMeasurement_fileSizeLimit_finishedRunFileUnchanged() {
  const QString out = dir_.filePath("speed-limit");
  QVERIFY(!addEarlierRun(out).isEmpty());
  // The run file as it is fits under the limit; a byte more does not.
  const Limits limits{static_cast<rlim_t>(QFileInfo(out + "/earlier.h5").size()), false};
  verifySpeedMeasurementRefused(out, limits, "File too large");
  if (QTest::currentTestFailed()) return;
  // Without the limit the measurement is stored, and the file still reads.
  const auto r = runSweet({"infer", out + "/earlier.model", "--measure", "--repeats", "1", "--warmup", "0",
                           "--batch-size", "16", "--max-instances", "16"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const auto run = analysis::loadRun((out + "/earlier.h5").toStdString());
  QCOMPARE(run.speed.size(), size_t{1});
  QCOMPARE(run.speed.front().batchSize, int64_t{16});
}

void TestCrashConsistency::speedMeasurement_fullTmpfs_finishedRunFileUnchanged() {
  const QString out = dir_.filePath("speed-tmpfs");
  const SmallDisk disk(out, "4m");
  if (!disk.why.isEmpty()) QSKIP(qPrintable(disk.why));
  QVERIFY(!addEarlierRun(out).isEmpty());
  // Fill what is left.
  QFile filler(out + "/filler");
  QVERIFY(filler.open(QIODevice::WriteOnly));
  const QByteArray block(4096, '\0');
  while (filler.write(block) == block.size() && filler.flush()) {
  }
  filler.close();
  verifySpeedMeasurementRefused(out, {}, "No space left on device");
}

// `sweet sweep run` writes each run's configuration before it starts the runs. On a full
// disk it used to check the stream before the close that writes a small file: every
// config was left empty, each run failed, and the logs (empty too) said nothing of why.
void TestCrashConsistency::sweepConfigs_fileSizeLimit_refusedBeforeAnyRunStarts() {
  const QString out = dir_.filePath("sweep-limit");
  const QString sweep = dir_.filePath("sweep-limit.json");
  QFile f(sweep);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QStringLiteral(R"({"name": "full", "output_dir": "%1",
      "base": {"task": "demo", "model": "%2", "demo_train_size": 16, "demo_eval_size": 8, "epochs": 1,
               "max_length": 40, "threads": 1, "save_model": false},
      "grid": {"method": ["ee", "sweet"]}})")
              .arg(out, checkpoint_)
              .toUtf8());
  f.close();
  // 256 bytes: the sweep's lock (a pid and a host) fits, a run's configuration does not.
  const auto r = runSweet({"sweep", "run", sweep}, {256, false});
  QVERIFY2(r.exit_code == 1, qPrintable("exit " + QString::number(r.exit_code) + ": " + r.err.right(1500)));
  QVERIFY2(r.err.contains(out + "/configs/ee.json: cannot write the run's configuration (File too large)"),
           qPrintable(r.err.right(1500)));
  QVERIFY2(!r.out.contains("started") && !r.err.contains("started"), qPrintable(r.out + r.err));
  QVERIFY2(QDir(out + "/configs").entryList(QDir::Files).isEmpty(), qPrintable(QDir(out + "/configs").entryList().join(", ")));
}
