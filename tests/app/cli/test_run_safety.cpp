// Issue 22's adversarial paths through the real `sweet` binary: a run name that would write
// outside its output folder, values that would exhaust the machine, two writers on one
// run, a damaged resume checkpoint. Each must end in a clear message, fast, with nothing
// finished lost.
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "analysis/run_data.h"
#include "tests/support/demo_train_config.h"
#include "tests/support/process_runner.h"
#include "tests/support/run_file_wait.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestRunSafety : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void runName_outsideOutputDirIsRefusedNamingTheKey();
  void threads_beyondFourPerCoreRefusedAtOnce();
  void modelSize_beyondMemoryRefusedBeforeAllocating();
  void sweepGrid_beyondLimitRefusedUnlessAllowed();
  void sweepPlan_largeGridStreamsInFlatMemory();
  void twoWriters_oneTrainsTheOtherIsRefusedNamingIt();
  void twoSweepRunners_secondIsRefusedNamingTheFirst();
  void damagedCheckpoint_refusedNamingItAndTheIntactOneResumes();
  void signalAfterLastStep_runFinishesAndStatusNamesTheSignal();

 private:
  QString writeFile(const QString& name, const QByteArray& bytes) const;
  // A small demo run's config writing into `outDir`, with `extra` JSON members appended.
  QString trainConfig(const QString& outDir, const QString& extra = {}, int epochs = 1) const;
  QString checkpointWithLayers(const QString& name, qint64 layers) const;

  QTemporaryDir dir_;
  QString checkpoint_;
};

QString TestRunSafety::writeFile(const QString& name, const QByteArray& bytes) const {
  const QString path = dir_.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(bytes);
  return path;
}

QString TestRunSafety::trainConfig(const QString& outDir, const QString& extra, int epochs) const {
  return writeFile(QFileInfo(outDir).fileName() + ".json",
                   sweet::testing::tinyDemoTrainConfig(checkpoint_, outDir, extra, epochs));
}

void TestRunSafety::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
}

void TestRunSafety::runName_outsideOutputDirIsRefusedNamingTheKey() {
  const QString out = dir_.filePath("confined/deeper");
  const QString config = trainConfig(out);
  // "../../x" and an absolute name would put the run file, model and checkpoint beside
  // (or far from) the output folder; sweeps sanitise their ids, plain runs must too.
  const QString absolute = dir_.filePath("escaped");
  for (const QString& name : {QStringLiteral("../../x"), absolute, QStringLiteral(".."), QStringLiteral("a/b"),
                              QStringLiteral("a\\b")}) {
    const auto r = test::runProgram(test::sweetBinary(), {"train", config, "--set", "run_name=" + name});
    QVERIFY2(r.exit_code == 1, qPrintable(name + ": exit " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains("--set run_name: run_name must be a plain file name inside output_dir"),
             qPrintable(name + ": " + r.err));
    QVERIFY2(r.err.count('\n') == 1, qPrintable(r.err));
  }
  QVERIFY(!QFileInfo::exists(dir_.filePath("x.h5")));
  QVERIFY(!QFileInfo::exists(absolute + ".h5"));
  QVERIFY(!QFileInfo::exists(dir_.filePath("confined")));
  // In the config file itself, the message names the file.
  const QString inFile = trainConfig(dir_.filePath("named"), R"(, "run_name": "../outside")");
  const auto r = test::runProgram(test::sweetBinary(), {"train", inFile});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(inFile + ": run_name must be a plain file name"), qPrintable(r.err));
}

// A copy of the demo checkpoint whose config.json says `layers` layers (its weights file
// keeps the real ones: nothing may be built from the config before the check).
QString TestRunSafety::checkpointWithLayers(const QString& name, qint64 layers) const {
  const QString folder = dir_.filePath(name);
  QDir().mkpath(folder);
  for (const QString& file : QDir(checkpoint_).entryList(QDir::Files))
    if (file != "config.json") QFile::copy(checkpoint_ + "/" + file, folder + "/" + file);
  QFile in(checkpoint_ + "/config.json");
  if (!in.open(QIODevice::ReadOnly)) return {};
  QJsonObject config = QJsonDocument::fromJson(in.readAll()).object();
  config["num_hidden_layers"] = layers;
  QFile out(folder + "/config.json");
  if (!out.open(QIODevice::WriteOnly)) return {};
  out.write(QJsonDocument(config).toJson());
  return folder;
}

void TestRunSafety::threads_beyondFourPerCoreRefusedAtOnce() {
  const QString out = dir_.filePath("threads");
  const QString config = trainConfig(out);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const QString limit = QStringLiteral("use 1..%1").arg(cores * 4);
  // 100000 threads used to hang for over 10 minutes (31,979 threads, 3.7 GB).
  for (const QString& threads : {QStringLiteral("100000"), QString::number(cores * 4 + 1), QStringLiteral("10000000000")}) {
    QElapsedTimer timer;
    timer.start();
    const auto r = test::runProgram(test::sweetBinary(), {"train", config, "--set", "threads=" + threads}, 60000);
    qInfo("threads=%s refused in %lld ms", qPrintable(threads), timer.elapsed());
    QVERIFY2(r.exit_code == 1, qPrintable(threads + ": exit " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains("threads " + threads + ": this machine has " + QString::number(cores) + " cores; " + limit),
             qPrintable(r.err));
    QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed()) + " ms"));
  }
  QVERIFY(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.h5"));
  // `sweet infer --threads 1000` took 30 s for one sentence.
  QElapsedTimer timer;
  timer.start();
  const auto r = test::runProgram(test::sweetBinary(), {"infer", checkpoint_, "--threshold", "0.9", "--text", "a good film", "--threads", "1000"}, 60000);
  qInfo("infer --threads 1000 refused in %lld ms", timer.elapsed());
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("--threads 1000: this machine has " + QString::number(cores) + " cores; " + limit), qPrintable(r.err));
}

void TestRunSafety::modelSize_beyondMemoryRefusedBeforeAllocating() {
  // num_hidden_layers 10^9 allocated 5.3 GB before bad_alloc: the config alone says it
  // cannot fit, for training and inference alike.
  const QString huge = checkpointWithLayers("huge-ck", 1000000000);
  QVERIFY(!huge.isEmpty());
  const QString out = dir_.filePath("huge");
  for (const QStringList& args : {QStringList{"train", trainConfig(out), "--set", "model=" + huge},
                                  QStringList{"infer", huge, "--threshold", "0.9", "--text", "a good film"}}) {
    QElapsedTimer timer;
    timer.start();
    const auto r = test::runProgram(test::sweetBinary(), args, 60000);
    qInfo("%s with 10^9 layers refused in %lld ms", qPrintable(args[0]), timer.elapsed());
    QVERIFY2(r.exit_code == 1, qPrintable(args[0] + ": exit " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains(huge + "/config.json: a model of about "), qPrintable(r.err));
    QVERIFY2(r.err.contains("(4 bytes each for the weights alone), more than this machine's"), qPrintable(r.err));
    QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed()) + " ms"));
  }
  // Weights that fit but not with their gradients and AdamW's moments (4 x as much): the
  // trainer refuses before building the model. The depth puts the weights at about 40% of
  // this machine's memory, whatever its size.
  QFile in(checkpoint_ + "/config.json");
  QVERIFY(in.open(QIODevice::ReadOnly));
  const QJsonObject config = QJsonDocument::fromJson(in.readAll()).object();
  const double h = config["hidden_size"].toDouble(), i = config["intermediate_size"].toDouble();
  const double perLayer = 4 * h * h + 2 * h * i;  // the bulk of a layer: enough at this scale
  const double memory = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  const QString deep = checkpointWithLayers("deep-ck", static_cast<qint64>(0.4 * memory / 4 / perLayer));
  QElapsedTimer timer;
  timer.start();
  const auto r = test::runProgram(test::sweetBinary(), {"train", trainConfig(out), "--set", "model=" + deep}, 60000);
  qInfo("training a model of 40%% of memory refused in %lld ms", timer.elapsed());
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("training " + deep + " (about "), qPrintable(r.err));
  QVERIFY2(r.err.contains("(weights, gradients and two AdamW moments, 4 bytes each), more than this machine's"),
           qPrintable(r.err));
  QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed()) + " ms"));
  QVERIFY(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.h5"));
}

void TestRunSafety::sweepGrid_beyondLimitRefusedUnlessAllowed() {
  QStringList values;
  for (int v = 0; v < 1000; ++v) values << QString::number(v);
  const QString grid = "[" + values.join(", ") + "]";
  const QString sweep = writeFile("huge-sweep.json", QStringLiteral(R"({"output_dir": "huge-sweep", "base": {"model": "%1",
      "task": "demo"}, "grid": {"seed": %2, "train_cap": %2}})").arg(checkpoint_, grid).toUtf8());
  for (const QString& command : {QStringLiteral("plan"), QStringLiteral("run")}) {
    QElapsedTimer timer;
    timer.start();
    const auto r = test::runProgram(test::sweetBinary(), {"sweep", command, sweep}, 60000);
    qInfo("sweep %s of 10^6 runs refused in %lld ms", qPrintable(command), timer.elapsed());
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("1000 seed x 1000 train_cap = 1000000 runs, more than 100000"), qPrintable(r.err));
    QVERIFY2(r.err.contains("--allow-large"), qPrintable(r.err));
    QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed()) + " ms"));
  }
  QVERIFY(!QFileInfo::exists(dir_.filePath("huge-sweep")));
}

// Issue 22: `sweet sweep plan` kept every run of the grid (a validated configuration each:
// 3.2 GB for 10^6 runs); it now prints each row as the grid expands. 200,000 runs took
// 551 MB that way, 380 MB above a one-run plan's 170 MB; streamed, the two peaks match.
// The check is the growth over a one-run plan of the same binary, not an absolute peak: an
// ASan build (sanitize.sh) doubles the binary's own footprint (815 MB streamed on CI).
void TestRunSafety::sweepPlan_largeGridStreamsInFlatMemory() {
  const auto planPeakMb = [this](const QString& name, int seeds, int caps) -> long {
    QStringList seedValues, capValues;
    for (int v = 1; v <= seeds; ++v) seedValues << QString::number(v);
    for (int v = 1; v <= caps; ++v) capValues << QString::number(v);
    const QString sweep = writeFile(name + ".json", QStringLiteral(R"({"output_dir": "%4", "base": {"model": "%1",
        "task": "demo"}, "grid": {"seed": [%2], "train_cap": [%3]}})")
                                                        .arg(checkpoint_, seedValues.join(", "), capValues.join(", "), name)
                                                        .toUtf8());
    const QString table = dir_.filePath(name + ".txt");
    // wait4: this child's own peak resident memory, not the test's or another child's.
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
      if (!std::freopen(table.toLocal8Bit().constData(), "w", stdout)) ::_exit(126);
      // Under ASan, freed blocks wait in a 256 MB quarantine before reuse: streaming would
      // look like growth. Release builds ignore the variable.
      const char* asan = std::getenv("ASAN_OPTIONS");
      const std::string options = std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "quarantine_size_mb=0";
      ::setenv("ASAN_OPTIONS", options.c_str(), 1);
      ::execl(test::sweetBinary().toLocal8Bit().constData(), "sweet", "sweep", "plan", sweep.toLocal8Bit().constData(),
              "--allow-large", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    struct rusage usage = {};
    if (::wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    QFile f(table);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QByteArray text = f.readAll();
    const long runs = static_cast<long>(seeds) * caps;
    if (text.count('\n') != runs + 1 || !text.endsWith(QStringLiteral(" %1 pending\n").arg(runs).toUtf8())) {
      qWarning("%s: %lld lines, ends '%s'", qPrintable(table), static_cast<long long>(text.count('\n')),
               text.right(40).constData());
      return -1;
    }
    return usage.ru_maxrss / 1024;
  };
  const long oneRunMb = planPeakMb("one-run-plan", 1, 1);
  QVERIFY(oneRunMb > 0);
  const long largeMb = planPeakMb("large-plan", 1000, 200);
  QVERIFY(largeMb > 0);
  qInfo("plan of 1 run: peak %ld MB; of 200,000 runs: peak %ld MB", oneRunMb, largeMb);
  QVERIFY2(largeMb - oneRunMb < 100, qPrintable(QStringLiteral("%1 MB above a one-run plan").arg(largeMb - oneRunMb)));
}

void TestRunSafety::twoWriters_oneTrainsTheOtherIsRefusedNamingIt() {
  const QString out = dir_.filePath("pair");
  const QString config = trainConfig(out, {}, 8);  // long enough that the second meets the first
  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5", lockFile = out + "/demo-ee-lr0.0005-s42.lock";
  // Started together: 6 of 9 such pairs both trained, and the loser failed later with
  // unrelated messages (or lost the winner's checkpoint).
  QProcess first, second;
  QElapsedTimer timer;
  timer.start();
  first.start(test::sweetBinary(), {"train", config});
  second.start(test::sweetBinary(), {"train", config});
  QVERIFY(first.waitForStarted() && second.waitForStarted());
  const qint64 pids[2] = {first.processId(), second.processId()};  // 0 once a process has ended
  qint64 endedAt[2] = {-1, -1};
  QProcess* processes[2] = {&first, &second};
  while (timer.elapsed() < 240000 && (endedAt[0] < 0 || endedAt[1] < 0)) {
    QTest::qWait(20);
    for (int i = 0; i < 2; ++i)
      if (endedAt[i] < 0 && processes[i]->state() == QProcess::NotRunning) endedAt[i] = timer.elapsed();
  }
  QVERIFY2(endedAt[0] >= 0 && endedAt[1] >= 0, "the pair did not end within 4 minutes");
  const int winner = first.exitCode() == 0 ? 0 : 1, loser = 1 - winner;
  const QString loserErr = QString::fromUtf8(processes[loser]->readAllStandardError());
  QVERIFY2(processes[winner]->exitCode() == 0, qPrintable(QString::fromUtf8(processes[winner]->readAllStandardError())));
  QVERIFY2(processes[loser]->exitCode() == 1, qPrintable(loserErr));
  const QString holder = QStringLiteral("pid %1 on %2").arg(pids[winner]).arg(QSysInfo::machineHostName());
  QVERIFY2(loserErr.contains("run " + runFile + " is being written by " + holder + " (lock " + lockFile + ")"),
           qPrintable(loserErr));
  QVERIFY2(loserErr.count('\n') == 1, qPrintable(loserErr));
  qInfo("second writer refused after %lld ms; the first finished after %lld ms", endedAt[loser], endedAt[winner]);
  QVERIFY2(endedAt[loser] < 30000, qPrintable(QString::number(endedAt[loser]) + " ms"));
  QVERIFY2(endedAt[loser] < endedAt[winner], "the loser waited for the winner");
  const auto run = analysis::loadRun(runFile.toStdString());
  QVERIFY(run.status.state == RunState::Finished);
  QVERIFY(!QFileInfo::exists(lockFile));  // released and removed at the end
  // A lock file left by a process killed -9 holds no lock: the next writer takes it over.
  QVERIFY(!writeFile("pair/demo-ee-lr0.0005-s42.lock", "pid 999999 on a-dead-node\n").isEmpty());
  const auto r = test::runProgram(test::sweetBinary(), {"train", trainConfig(out), "--overwrite"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(!QFileInfo::exists(lockFile));
}

void TestRunSafety::twoSweepRunners_secondIsRefusedNamingTheFirst() {
  const QString sweep = writeFile("locked-sweep.json", QStringLiteral(R"({"output_dir": "locked-sweep", "base": {"model": "%1",
      "task": "demo", "demo_train_size": 160, "demo_eval_size": 48, "calibration_size": 16, "exit_layers": [1, 4, 6, 12],
      "learning_rate": 0.0005, "batch_size": 8, "epochs": 3, "max_length": 40, "threads": 1, "save_model": false},
      "grid": {"seed": [1]}})").arg(checkpoint_).toUtf8());
  const QString lockFile = dir_.filePath("locked-sweep/sweep.lock");
  QProcess first;
  first.start(test::sweetBinary(), {"sweep", "run", sweep});
  QVERIFY(first.waitForStarted());
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 60000 && first.state() == QProcess::Running) {
    QFile lock(lockFile);
    if (lock.open(QIODevice::ReadOnly) && lock.readAll().startsWith("pid ")) break;
    QTest::qWait(20);
  }
  QVERIFY2(first.state() == QProcess::Running, "the first runner ended before a second could meet it");
  timer.restart();
  const auto r = test::runProgram(test::sweetBinary(), {"sweep", "run", sweep, "-j", "2"});
  qInfo("second sweep runner refused after %lld ms", timer.elapsed());
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("sweep " + dir_.filePath("locked-sweep") + " is being written by pid " +
                          QString::number(first.processId()) + " on "),
           qPrintable(r.err));
  QVERIFY(first.waitForFinished(240000));
  QCOMPARE(first.exitCode(), 0);
  QVERIFY2(QString::fromUtf8(first.readAllStandardOutput()).contains("1 started: 1 done, 0 failed"),
           qPrintable(first.readAllStandardOutput()));
  QVERIFY(!QFileInfo::exists(lockFile));
}

void TestRunSafety::damagedCheckpoint_refusedNamingItAndTheIntactOneResumes() {
  const QString out = dir_.filePath("rot");
  const QString config = trainConfig(out, R"(, "checkpoint_every": 4)", 3);
  const QString runFile = out + "/demo-ee-lr0.0005-s42.h5", checkpoint = out + "/demo-ee-lr0.0005-s42.resume.pt";
  // Stopped by SIGTERM after a few steps: the signal writes a checkpoint.
  QProcess training;
  training.start(test::sweetBinary(), {"train", config});
  QVERIFY(sweet::testing::waitForRunSteps(training, runFile, 6));
  ::kill(static_cast<pid_t>(training.processId()), SIGTERM);
  QVERIFY(training.waitForFinished(120000));
  QCOMPARE(training.exitCode(), 143);
  QFile in(checkpoint);
  QVERIFY(in.open(QIODevice::ReadOnly));
  const QByteArray intact = in.readAll();
  in.close();
  QVERIFY(intact.size() > 300 * 1024);
  const auto stopped = analysis::loadRun(runFile.toStdString()).status;
  // Each used to resume silently (and end "finished" with other numbers) or to fail with a
  // message that did not name the file.
  QByteArray flipped = intact;
  flipped[intact.size() / 2] = static_cast<char>(flipped[intact.size() / 2] ^ 0x10);
  QByteArray zeroed = intact;
  zeroed.replace(intact.size() / 3, 100 * 1024, QByteArray(100 * 1024, '\0'));
  const QList<QPair<QString, QByteArray>> damages = {
      {"one bit flipped", flipped}, {"100 KB zeroed", zeroed}, {"truncated", intact.left(intact.size() / 2)}};
  for (const auto& [what, bytes] : damages) {
    QFile damaged(checkpoint);
    QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
    damaged.write(bytes);
    damaged.close();
    QElapsedTimer timer;
    timer.start();
    const auto r = test::runProgram(test::sweetBinary(), {"train", config});
    qInfo("%s: refused in %lld ms", qPrintable(what), timer.elapsed());
    QVERIFY2(r.exit_code == 1, qPrintable(what + ": exit " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains(checkpoint + ": damaged: its SHA-256 differs"), qPrintable(what + ": " + r.err));
    QVERIFY2(r.err.contains("pass --overwrite to start the run over"), qPrintable(r.err));
    // Nothing written: the run file still says where it stopped.
    const auto status = analysis::loadRun(runFile.toStdString()).status;
    QVERIFY(status.state == RunState::Stopped);
    QCOMPARE(status.stepsDone, stopped.stepsDone);
  }
  // The intact checkpoint still resumes the run to its end.
  QFile restored(checkpoint);
  QVERIFY(restored.open(QIODevice::WriteOnly | QIODevice::Truncate));
  restored.write(intact);
  restored.close();
  const auto r = test::runProgram(test::sweetBinary(), {"train", config});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("resuming from " + checkpoint), qPrintable(r.err));
  QVERIFY(analysis::loadRun(runFile.toStdString()).status.state == RunState::Finished);
  QVERIFY(!QFileInfo::exists(checkpoint) && !QFileInfo::exists(checkpoint + ".sha256"));
}

// Issue 22: SIGTERM or SIGUSR1 while the model was saved or the last evaluation ran let the
// run finish and exit 0, where docs/cli.md promises 128 + the signal's number.
void TestRunSafety::signalAfterLastStep_runFinishesAndStatusNamesTheSignal() {
  for (const auto& [signal, cue] : {std::pair<int, QString>{SIGTERM, "evaluating every exit"}, {SIGUSR1, "saving the model"}}) {
    const QString out = dir_.filePath(QStringLiteral("late-signal-%1").arg(signal));
    const QString runFile = out + "/demo-ee-lr0.0005-s42.h5";
    QProcess training;
    training.start(test::sweetBinary(), {"train", trainConfig(out), "--set", "save_model=true", "demo_eval_size=3000"});
    QVERIFY(training.waitForStarted());
    QString err;
    QElapsedTimer timer;
    timer.start();
    while (!err.contains(cue) && training.state() == QProcess::Running && timer.elapsed() < 120000) {
      training.waitForReadyRead(50);
      err += QString::fromUtf8(training.readAllStandardError());
    }
    QVERIFY2(err.contains(cue), qPrintable(err));
    ::kill(static_cast<pid_t>(training.processId()), signal);
    QVERIFY(training.waitForFinished(120000));
    err += QString::fromUtf8(training.readAllStandardError());
    QVERIFY2(training.exitStatus() == QProcess::NormalExit && training.exitCode() == 128 + signal,
             qPrintable(QString::number(training.exitCode()) + " " + err));
    QVERIFY2(err.contains(QStringLiteral("signal %1 came after the last step: the run finished").arg(signal)), qPrintable(err));
    // Nothing lost: the file says finished, the model is saved, no checkpoint is left to resume.
    QVERIFY(analysis::loadRun(runFile.toStdString()).status.state == RunState::Finished);
    QVERIFY(QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.model/model.safetensors"));
    QVERIFY(!QFileInfo::exists(out + "/demo-ee-lr0.0005-s42.resume.pt"));
  }
}

QTEST_GUILESS_MAIN(TestRunSafety)
#include "test_run_safety.moc"
