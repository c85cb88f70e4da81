// `sweet pretrain` as a user drives it: pre-train the demo checkpoint on a corpus, fine-tune
// the saved folder with `sweet train`, report a folder holding both kinds of run file; bad
// corpora (missing, empty, a column that does not exist) end with one line naming the file.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

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

 private:
  QString writeFile(const QString& name, const QByteArray& text);
  QString pretrainConfig(const QString& name, const QString& corpus, const QString& extra = "");
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

QTEST_GUILESS_MAIN(TestPretrainCommand)
#include "test_pretrain_command.moc"
