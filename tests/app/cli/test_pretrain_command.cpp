// `sweet pretrain` as a user drives it: pre-train the demo checkpoint on a corpus, fine-tune
// the saved folder with `sweet train`, report a folder holding both kinds of run file; bad
// corpora (missing, empty, a column that does not exist) end with one line naming the file;
// a pre-training killed with SIGKILL keeps its steps, says "killed", and `--continue` ends
// it with the losses and weights of an uninterrupted run; a checkpoint that cannot be
// written (a file-size limit) ends the run with one line naming the file and the cause.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <csignal>

#include "training/pretraining/pretrain_run_file.h"

#include "analysis/hdf5_util.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestPretrainCommand : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void pretrain_thenTrainFineTunesTheSavedFolder();
  void pretrain_badCorpusNamesTheFile();
  void demo_pretrainFineTunesFromThePretrainedModel();
  void pretrain_killedThenContinuedMatchesAnUninterruptedRun();
  void pretrain_sigtermStopsWithACheckpointThenContinues();
  void pretrain_checkpointWriteFailureIsOneLine();

 private:
  QString writeFile(const QString& name, const QByteArray& text);
  QString pretrainConfig(const QString& name, const QString& corpus, const QString& extra = "");
  QString grammarCorpus();
  // The settings the interrupted runs share, and their uninterrupted run (made once).
  QString interruptibleConfig(const QString& name);
  void runUninterrupted();
  // Starts `sweet pretrain config`, waits for its first periodic checkpoint, sends `signal`.
  void signalAfterFirstCheckpoint(QProcess& p, const QString& config, const QString& checkpoint, int signal);
  // The run's steps, evaluations and saved weights equal the uninterrupted run's.
  void compareWithUninterrupted(const QString& name);
  QTemporaryDir dir_;
  QString checkpoint_;
};

QString TestPretrainCommand::writeFile(const QString& name, const QByteArray& text) {
  QFile f(dir_.filePath(name));
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(text);
  return f.fileName();
}

QString TestPretrainCommand::pretrainConfig(const QString& name, const QString& corpus, const QString& extra) {
  return writeFile(name + ".json", QString(R"({"model": "%1", "corpus": "%2", "max_length": 32, "batch_size": 8,
      "max_steps": 4, "threads": 2, "output_dir": "%3", "run_name": "%4"%5})")
                                       .arg(checkpoint_, corpus, dir_.filePath("runs"), name, extra)
                                       .toUtf8());
}

void TestPretrainCommand::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
}

void TestPretrainCommand::pretrain_thenTrainFineTunesTheSavedFolder() {
  QByteArray corpus;
  const char* subjects[] = {"the plot", "the film", "the acting", "the music"};
  const char* words[] = {"great", "dull", "good", "bad", "not long"};
  for (int i = 0; i < 60; ++i) corpus += QByteArray(subjects[i % 4]) + " was " + words[i % 5] + "\n";
  const QString config = pretrainConfig("pre", writeFile("corpus.txt", corpus));
  auto r = test::runProgram(test::sweetBinary(), {"pretrain", config});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QString model = dir_.filePath("runs/pre");
  QVERIFY2(r.out.contains("model: " + model), qPrintable(r.out));
  QVERIFY2(r.out.contains("held-out MLM loss"), qPrintable(r.out));
  {
    H5::H5File file(dir_.filePath("runs/pre.h5").toStdString(), H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    QCOMPARE(QString::fromStdString(h5::readStringAttr(root, "format")), QString("sweet-pretrain"));
    QCOMPARE(h5::readFloat32(file, "train/mlm_loss").size(), size_t{4});
    QCOMPARE(h5::readInt64(file, "status").at(0), int64_t{1});  // finished
  }
  // Run again without --overwrite: refused, naming the earlier run file.
  r = test::runProgram(test::sweetBinary(), {"pretrain", config});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(dir_.filePath("runs/pre.h5")) && r.err.contains("--overwrite"), qPrintable(r.err));

  const QString train = writeFile("train.json", QString(R"({"task": "demo", "demo_train_size": 40, "demo_eval_size": 16,
      "train_cap": 32, "calibration_size": 8, "batch_size": 8, "epochs": 1, "max_steps": 2, "max_length": 40,
      "threads": 2, "model": "%1", "output_dir": "%2", "save_model": false})")
                                                    .arg(model, dir_.filePath("runs"))
                                                    .toUtf8());
  r = test::runProgram(test::sweetBinary(), {"train", train});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  // The folder holds both kinds: the report skips the pre-training file and says so.
  r = test::runProgram(test::sweetBinary(), {"report", dir_.filePath("runs")});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("skipping " + dir_.filePath("runs/pre.h5")) && r.err.contains("pre-training run file"),
           qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"repair", dir_.filePath("runs/pre.h5")});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("pre-training run file"), qPrintable(r.err));
}

void TestPretrainCommand::pretrain_badCorpusNamesTheFile() {
  const QString missing = dir_.filePath("missing.txt");
  const QString empty = writeFile("empty.txt", "\n   \n");
  const QString tsv = writeFile("corpus.tsv", "id\tsentence\n1\tthe plot was great\n2\tthe film was dull\n");
  struct Case {
    QString corpus, extra, expected;
  };
  for (const Case& c : {Case{missing, "", missing + ": corpus file not found"},
                        Case{empty, "", empty + ": the corpus holds no text"},
                        Case{tsv, R"(, "column": "text")", tsv}}) {
    const QString config = pretrainConfig("bad", c.corpus, c.extra);
    const auto r = test::runProgram(test::sweetBinary(), {"pretrain", config});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.startsWith("sweet pretrain: error: " + c.expected), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
  }
}

// `sweet demo --pretrain` (made small): the grammar's corpus is pre-trained on, the methods
// fine-tune the pre-trained folder, and a second demo in the folder (two seeds, pooled as
// sweet report pools them) reuses it.
void TestPretrainCommand::demo_pretrainFineTunesFromThePretrainedModel() {
  const QString out = dir_.filePath("demo-pre");
  const QStringList args = {"demo", "--out", out, "--pretrain", "--pretrain-set", "max_steps=3", "corpus_texts=64",
                            "batch_size=16", "--methods", "ee", "--set", "demo_train_size=16", "demo_eval_size=8",
                            "calibration_size=4", "train_cap=12", "epochs=1", "max_steps=1", "gradients.every=0",
                            "save_model=false"};
  auto r = test::runProgram(test::sweetBinary(), args);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("pretrain: step 3/3"), qPrintable(r.err));
  QFile corpus(out + "/demo-corpus.txt");
  QVERIFY(corpus.open(QIODevice::ReadOnly));
  const QList<QByteArray> lines = corpus.readAll().trimmed().split('\n');
  QCOMPARE(lines.size(), 64);
  for (const QByteArray& line : lines) QVERIFY2(!line.contains("positive") && !line.contains('\t'), line.constData());
  {
    H5::H5File pre((out + "/pretrained-bert.h5").toStdString(), H5F_ACC_RDONLY);
    H5::Group root = pre.openGroup("/");
    QCOMPARE(QString::fromStdString(h5::readStringAttr(root, "format")), QString("sweet-pretrain"));
    H5::H5File run((out + "/demo-ee-lr0.0005-s42.h5").toStdString(), H5F_ACC_RDONLY);
    H5::Group runRoot = run.openGroup("/");
    const auto config = nlohmann::json::parse(h5::readStringAttr(runRoot, "config"));
    QCOMPARE(QString::fromStdString(config["model"].get<std::string>()), out + "/pretrained-bert");
  }
  // Two seeds: the pre-trained model is reused, and sweet report's pooled comparison follows the table.
  r = test::runProgram(test::sweetBinary(), args + QStringList{"--seeds", "1,2"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("reusing the pre-trained model in " + out + "/pretrained-bert"), qPrintable(r.err));
  QVERIFY2(r.out.contains("Across seeds") && r.out.contains("n=2") && r.out.contains("Score at fixed cost fractions"),
           qPrintable(r.out));
}

QString TestPretrainCommand::grammarCorpus() {
  QByteArray corpus;
  const char* subjects[] = {"the plot", "the film", "the acting", "the music", "the ending"};
  const char* words[] = {"great", "dull", "good", "bad", "not long", "very good", "too long"};
  for (int i = 0; i < 200; ++i) corpus += QByteArray(subjects[i % 5]) + " was " + words[(i / 5) % 7] + "\n";
  return writeFile("grammar.txt", corpus);
}

QString TestPretrainCommand::interruptibleConfig(const QString& name) {
  return pretrainConfig(name, grammarCorpus(),
                        R"(, "epochs": 6, "max_steps": 120, "checkpoint_every": 5, "eval_every": 40)");
}

void TestPretrainCommand::runUninterrupted() {
  if (QFileInfo::exists(dir_.filePath("runs/whole.h5"))) return;
  const auto r = test::runProgram(test::sweetBinary(), {"pretrain", interruptibleConfig("whole")});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
}

void TestPretrainCommand::signalAfterFirstCheckpoint(QProcess& p, const QString& config, const QString& checkpoint,
                                                     int signal) {
  p.start(test::sweetBinary(), {"pretrain", config});
  QVERIFY(p.waitForStarted());
  QElapsedTimer clock;
  clock.start();
  while (!QFileInfo::exists(checkpoint) && p.state() == QProcess::Running && clock.elapsed() < 120000) QTest::qWait(5);
  QVERIFY2(p.state() == QProcess::Running, "the pre-training ended before the signal");
  qInfo("signal %d after %lld ms", signal, static_cast<long long>(clock.elapsed()));
  ::kill(static_cast<pid_t>(p.processId()), signal);
  QVERIFY(p.waitForFinished(120000));
}

void TestPretrainCommand::compareWithUninterrupted(const QString& name) {
  const PretrainRunFile a = readPretrainRunFile(dir_.filePath("runs/whole.h5").toStdString()),
                        b = readPretrainRunFile(dir_.filePath("runs/" + name + ".h5").toStdString());
  QCOMPARE(b.stateName(), std::string("finished"));
  QCOMPARE(b.record.mlm_loss.size(), size_t{120});
  QVERIFY(a.record.mlm_loss == b.record.mlm_loss);
  QVERIFY(a.record.mlm_accuracy == b.record.mlm_accuracy);
  QVERIFY(a.record.learning_rate == b.record.learning_rate);
  QCOMPARE(b.record.eval_loss_after, a.record.eval_loss_after);
  QFile wa(dir_.filePath("runs/whole/model.safetensors")), wb(dir_.filePath("runs/" + name + "/model.safetensors"));
  QVERIFY(wa.open(QIODevice::ReadOnly) && wb.open(QIODevice::ReadOnly));
  QVERIFY2(wa.readAll() == wb.readAll(), "the continued run's weights differ from the uninterrupted run's");
}

void TestPretrainCommand::pretrain_killedThenContinuedMatchesAnUninterruptedRun() {
  runUninterrupted();
  const QString config = interruptibleConfig("killed");
  const QString checkpoint = dir_.filePath("runs/killed.resume.pt"), runFile = dir_.filePath("runs/killed.h5");
  QProcess p;
  signalAfterFirstCheckpoint(p, config, checkpoint, SIGKILL);
  {
    const PretrainRunFile file = readPretrainRunFile(runFile.toStdString());
    QCOMPARE(file.stateName(), std::string("killed"));
    QVERIFY2(file.record.mlm_loss.size() >= 5 && file.record.mlm_loss.size() < 120,
             qPrintable(QString::number(file.record.mlm_loss.size())));
  }
  auto r = test::runProgram(test::sweetBinary(), {"pretrain", config, "--continue"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("resuming from " + checkpoint + " at step "), qPrintable(r.err));
  QVERIFY(!QFileInfo::exists(checkpoint));
  compareWithUninterrupted("killed");
  // A finished run is left alone.
  r = test::runProgram(test::sweetBinary(), {"pretrain", config, "--continue"});
  QVERIFY2(r.exit_code == 0 && r.out.contains("(already finished)"), qPrintable(r.out + r.err));
}

void TestPretrainCommand::pretrain_sigtermStopsWithACheckpointThenContinues() {
  runUninterrupted();
  const QString config = interruptibleConfig("stopped");
  const QString checkpoint = dir_.filePath("runs/stopped.resume.pt");
  QProcess p;
  signalAfterFirstCheckpoint(p, config, checkpoint, SIGTERM);
  QCOMPARE(p.exitStatus(), QProcess::NormalExit);
  QCOMPARE(p.exitCode(), 128 + SIGTERM);
  const QString err = QString::fromUtf8(p.readAllStandardError());
  QVERIFY2(err.contains("writing a resume checkpoint at step "), qPrintable(err));
  {
    const PretrainRunFile file = readPretrainRunFile(dir_.filePath("runs/stopped.h5").toStdString());
    QCOMPARE(file.stateName(), std::string("stopped"));
    QVERIFY(QFileInfo::exists(checkpoint) && QFileInfo::exists(checkpoint + ".sha256"));
    QVERIFY2(err.contains("at step " + QString::number(file.record.mlm_loss.size())), qPrintable(err));
  }
  const auto r = test::runProgram(test::sweetBinary(), {"pretrain", config, "--continue"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  compareWithUninterrupted("stopped");
}

void TestPretrainCommand::pretrain_checkpointWriteFailureIsOneLine() {
  const QString config = pretrainConfig("unwritable", grammarCorpus(), R"(, "checkpoint_every": 2)");
  const QString checkpoint = dir_.filePath("runs/unwritable.resume.pt");
  // A full disk as a file-size limit (EFBIG): the run file fits, the checkpoint (weights and
  // two AdamW moments of the 12-layer demo model, ~5 MB) does not.
  QProcess p;
  p.setChildProcessModifier([] {
    const rlimit limit{1 << 20, 1 << 20};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  });
  p.start(test::sweetBinary(), {"pretrain", config});
  QVERIFY(p.waitForFinished(240000));
  QCOMPARE(p.exitStatus(), QProcess::NormalExit);
  test::ProcessResult r{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
  QCOMPARE(r.exit_code, 1);
  // Progress lines, then the error: one line, the last.
  const QString last = r.err.trimmed().split('\n').last();
  QVERIFY2(last.startsWith("sweet pretrain: error: " + checkpoint + ": cannot write the resume checkpoint") &&
               last.contains("File too large"),
           qPrintable(r.err));
  QCOMPARE(r.err.count("error"), 1);
  QCOMPARE(readPretrainRunFile(dir_.filePath("runs/unwritable.h5").toStdString()).stateName(), std::string("failed"));
}

QTEST_GUILESS_MAIN(TestPretrainCommand)
#include "test_pretrain_command.moc"
