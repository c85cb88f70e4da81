// `sweet infer` as a user drives it: a demo run saved with its model, then predictions for
// a sentence and for a TSV column (CSV and JSONL out), a speed measurement stored in the
// run file (twice: the second replaces the first) and printed by `sweet report`; and the
// mistakes a user makes: a missing or wrong model folder, a TSV column that is not there,
// a threshold outside (0, 1], --measure without a run file; --precision bf16 for text and
// --measure, and the precisions refused on the CPU; --cuda-graphs refused on the CPU, beside
// --rebatch and in a build without CUDA graphs.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/run_data.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"
#include "training/runs/cuda_graph_support.h"

using namespace sweet;

namespace {

const QStringList kTinyDemo = {"--methods", "ee", "--set", "demo_train_size=64", "demo_eval_size=32", "train_cap=48",
                               "calibration_size=16", "epochs=1", "batch_size=16", "gradients.every=0",
                               "eval_every=0", "save_model=true"};

QString readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

class TestInferCommand : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void infer_sentenceAndTsv_printAndWritePredictions();
  void measure_storesSpeedInRunFileAndReportPrintsIt();
  void infer_rebatch_samePredictionsInInputOrder();
  void infer_badInputs_clearMessages();
  void infer_learnedRule_exitsOnLteScores();
  void infer_damagedModelFile_refusedNamingItAndBothHashes();
  void infer_otherSeedsRunFile_refusedNamingBoth();
  void infer_precision_bf16RunsAndBadValuesAreRefused();
  void infer_cudaGraphs_refusedWhereTheyCannotRun();

 private:
  QTemporaryDir dir_;
  QString model_, run_;
};

void TestInferCommand::initTestCase() {
  QVERIFY(dir_.isValid());
  const QString out = dir_.filePath("runs");
  auto r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", out} + kTinyDemo);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QStringList models = QDir(out).entryList({"*.model"}, QDir::Dirs);
  QCOMPARE(models.size(), 1);
  model_ = QDir(out).filePath(models.front());
  run_ = model_.left(model_.size() - 6) + ".h5";
  QVERIFY2(QFileInfo::exists(run_), qPrintable(run_));
}

void TestInferCommand::infer_sentenceAndTsv_printAndWritePredictions() {
  auto r = test::runProgram(test::sweetBinary(), {"infer", model_, "--threshold", "0.9", "--text", "the movie was good"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 2);
  QCOMPARE(lines[0], QString("row\tprediction\texit\texit_layer\tconfidence"));
  const QStringList fields = lines[1].split('\t');
  QCOMPARE(fields.size(), 5);
  QVERIFY2(fields[1] == "negative" || fields[1] == "positive", qPrintable(lines[1]));
  QVERIFY2(r.err.contains("temperature-scaled"), qPrintable(r.err));

  const QString tsv = dir_.filePath("input.tsv");
  QFile f(tsv);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("id\tsentence\n1\ta good film\n2\tnot a good film\n3\tthree bad plots\n");
  f.close();
  for (const QString& ext : {QString("csv"), QString("jsonl")}) {
    const QString out = dir_.filePath("pred." + ext);
    // t = 1/K: everyone at exit 1; t = 1: everyone at the last exit (layer 12).
    for (const auto& [threshold, layer] : {std::pair<QString, QString>{"0.5", "1"}, {"1", "12"}}) {
      r = test::runProgram(test::sweetBinary(), {"infer", model_, "--threshold", threshold, "--tsv", tsv, "--column",
                                                 "sentence", "--batch-size", "2", "--out", out});
      QVERIFY2(r.exit_code == 0, qPrintable(r.err));
      lines = r.out.split('\n', Qt::SkipEmptyParts);
      QCOMPARE(lines.size(), 4);
      for (int i = 1; i < 4; ++i) QCOMPARE(lines[i].split('\t')[3], layer);
      const QStringList written = readAll(out).split('\n', Qt::SkipEmptyParts);
      if (ext == "csv") {
        QCOMPARE(written.size(), 4);
        QCOMPARE(written[0], QString("row,prediction,exit,exit_layer,confidence"));
        QCOMPARE(written[1].split(',')[3], layer);
      } else {
        QCOMPARE(written.size(), 3);
        QVERIFY2(written[2].contains("\"exit_layer\":" + layer) && written[2].contains("\"row\":2"), qPrintable(written[2]));
      }
    }
  }
}

void TestInferCommand::measure_storesSpeedInRunFileAndReportPrintsIt() {
  for (int pass = 0; pass < 2; ++pass) {
    auto r = test::runProgram(test::sweetBinary(), {"infer", model_, "--measure", "--thresholds", "0.5,0.8,1",
                                                    "--batch-size", "8,1", "--repeats", "1", "--warmup", "0",
                                                    "--max-instances", "16", "--threads", "1"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("batch 8 on cpu") && r.out.contains("batch 1 on cpu"), qPrintable(r.out));
    QVERIFY2(r.out.contains("12.00x"), qPrintable(r.out));  // t = 1/K: everyone at layer 1 of 12
    QVERIFY2(r.err.contains("/speed/cpu-b8-t1"), qPrintable(r.err));
  }
  const analysis::RunData run = analysis::loadRun(run_.toStdString());
  QCOMPARE(run.speed.size(), size_t{2});
  QCOMPARE(run.speed[1].name, std::string("cpu-b8-t1"));
  QCOMPARE(run.speed[1].points.size(), size_t{3});
  QCOMPARE(run.speed[1].points[0].layerSpeedup, 12.0);
  QCOMPARE(run.speed[1].points[2].layerSpeedup, 1.0);
  auto r = test::runProgram(test::sweetBinary(), {"report", run_});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("Measured wall-clock speed") && r.out.contains("batch 1 on cpu"), qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), {"report", "--format", "json", run_});
  QVERIFY2(r.exit_code == 0 && r.out.contains("\"measured_speed\""), qPrintable(r.err));
}

// --rebatch as a user runs it: a TSV of sentences of many lengths (so rows joined into one
// batch were padded differently) at batch 3 gives the same rows, predictions and exits as
// without it, in input order, at thresholds that send rows to several exits; --measure
// --rebatch stores its own group beside the plain one; --text takes no --rebatch.
void TestInferCommand::infer_rebatch_samePredictionsInInputOrder() {
  const QString tsv = dir_.filePath("rebatch.tsv");
  QFile f(tsv);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("sentence\n");
  const QStringList words = {"good", "bad", "film", "not", "plot", "great", "dull", "acting"};
  for (int i = 0; i < 25; ++i) {
    QStringList sentence;
    for (int w = 0; w < 1 + (i * 7) % 11; ++w) sentence << words[(i + w * 3) % words.size()];
    f.write(sentence.join(' ').toUtf8() + "\n");
  }
  f.close();
  std::set<QString> exitsSeen;
  for (const QString threshold : {"0.5", "0.52", "0.55", "0.6", "0.7", "0.9"}) {
    QStringList plainArgs = {"infer", model_, "--threshold", threshold, "--tsv", tsv, "--column", "sentence",
                             "--batch-size", "3", "--no-calibrate"};
    const auto plain = test::runProgram(test::sweetBinary(), plainArgs);
    const auto rebatched = test::runProgram(test::sweetBinary(), plainArgs << "--rebatch");
    QVERIFY2(plain.exit_code == 0 && rebatched.exit_code == 0, qPrintable(plain.err + rebatched.err));
    const QStringList a = plain.out.split('\n', Qt::SkipEmptyParts), b = rebatched.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(b.size(), 26);
    QCOMPARE(b.size(), a.size());
    for (int i = 1; i < a.size(); ++i) {
      const QStringList x = a[i].split('\t'), y = b[i].split('\t');
      QCOMPARE(y[0], QString::number(i - 1));  // input order
      QCOMPARE(y.mid(0, 4), x.mid(0, 4));      // row, prediction, exit, exit layer
      QVERIFY2(std::abs(y[4].toDouble() - x[4].toDouble()) <= 1e-4, qPrintable(a[i] + " vs " + b[i]));
      exitsSeen.insert(y[2]);
    }
  }
  // Rows left and rows went on: the re-batched segments joined rows from several batches.
  QVERIFY2(exitsSeen.size() > 1, qPrintable(QString::number(exitsSeen.size()) + " distinct exits"));

  auto r = test::runProgram(test::sweetBinary(), {"infer", model_, "--measure", "--rebatch", "--thresholds", "0.5,1",
                                                  "--batch-size", "4", "--repeats", "1", "--warmup", "0",
                                                  "--max-instances", "16", "--threads", "1"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("batch 4 (re-batched) on cpu") && r.out.contains("12.00x"), qPrintable(r.out));
  QVERIFY2(r.err.contains("/speed/cpu-b4-t1-rebatch"), qPrintable(r.err));
  const analysis::RunData run = analysis::loadRun(run_.toStdString());
  const auto stored = std::find_if(run.speed.begin(), run.speed.end(), [](const auto& m) { return m.rebatch; });
  QVERIFY(stored != run.speed.end());
  QCOMPARE(stored->name, std::string("cpu-b4-t1-rebatch"));
  QCOMPARE(stored->points[0].exitCounts.front(), int64_t{16});  // t = 1/K: everyone at exit 1

  r = test::runProgram(test::sweetBinary(), {"infer", model_, "--threshold", "0.9", "--text", "x", "--rebatch"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("--rebatch") && r.err.contains("--text"), qPrintable(r.err));
}

void TestInferCommand::infer_badInputs_clearMessages() {
  const QString tsv = dir_.filePath("input.tsv");
  struct Case {
    QStringList args;
    QString message;
  };
  const QString missing = dir_.filePath("no-such.model");
  const QString plain = QDir(dir_.filePath("runs")).filePath("scratch-bert");  // a BERT checkpoint, no exits
  const QList<Case> cases = {
      {{"infer", missing, "--threshold", "0.9", "--text", "x"}, missing + ": no such folder"},
      {{"infer", plain, "--threshold", "0.9", "--text", "x"}, "not a fine-tuned early-exit model"},
      {{"infer", model_, "--threshold", "0.9", "--tsv", tsv, "--column", "text"}, "no column 'text'"},
      {{"infer", model_, "--threshold", "0", "--text", "x"}, "outside (0, 1]"},
      {{"infer", model_, "--threshold", "1.5", "--text", "x"}, "outside (0, 1]"},
      {{"infer", model_, "--threshold", "-0.2", "--text", "x"}, "outside (0, 1]"},
      {{"infer", model_, "--text", "x"}, "--threshold is required"},
      {{"infer", model_, "--threshold", "0.9"}, "give either --text or --tsv"},
      {{"infer", model_, "--threshold", "0.9", "--text", "x", "--out", dir_.filePath("p.txt")}, "must end in .csv or .jsonl"},
      {{"infer", model_, "--measure", "--thresholds", "0.5,2", "--max-instances", "4"}, "outside (0, 1]"},
      {{"infer", model_, "--rule", "learned", "--threshold", "0.5", "--text", "x"}, "no lte.safetensors"},
      {{"infer", model_, "--rule", "learned", "--measure"}, "no lte.safetensors"},  // measured since issue 21
  };
  for (const Case& c : cases) {
    const auto r = test::runProgram(test::sweetBinary(), c.args);
    QVERIFY2(r.exit_code == 1, qPrintable(c.args.join(' ') + " -> " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains(c.message), qPrintable(c.args.join(' ') + " -> " + r.err));
  }
  // A model folder moved away from its run file: inference works (raw confidences, said),
  // measuring needs the run.
  const QString moved = dir_.filePath("moved.model");
  QVERIFY(QDir().mkpath(moved));
  for (const QString& f : QDir(model_).entryList(QDir::Files)) QVERIFY(QFile::copy(QDir(model_).filePath(f), QDir(moved).filePath(f)));
  auto r = test::runProgram(test::sweetBinary(), {"infer", moved, "--threshold", "0.9", "--text", "a good film"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("no run file beside"), qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"infer", moved, "--measure"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("pass --run RUN.h5"), qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"infer", moved, "--run", run_, "--measure", "--thresholds", "1",
                                             "--batch-size", "4", "--repeats", "1", "--warmup", "0",
                                             "--max-instances", "4", "--no-write"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
}

// A demo run trained with learning-to-exit heads: `--rule learned` exits on their scores,
// prints and writes each instance's score, and the score threshold's ends behave as they
// must (a tiny one: everyone at the first exit; 1, which a sigmoid never reaches here:
// everyone at the last).
void TestInferCommand::infer_learnedRule_exitsOnLteScores() {
  const QString out = dir_.filePath("runs-lte");
  // The raw rule: thresholds on the heads' sigmoid outputs (minmax, the default, is checked
  // against the replay in test_adaptive_inference).
  auto r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", out} + kTinyDemo +
                                                     QStringList{"lte.enabled=true", "lte.threshold_rule=raw"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QStringList models = QDir(out).entryList({"*.model"}, QDir::Dirs);
  QCOMPARE(models.size(), 1);
  const QString model = QDir(out).filePath(models.front());
  QVERIFY(QFileInfo::exists(QDir(model).filePath("lte.safetensors")));
  const QString tsv = dir_.filePath("lte-input.tsv");
  QFile f(tsv);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("sentence\na good film\nnot a good film\nthree bad plots\n");
  f.close();
  const QString csv = dir_.filePath("lte-pred.csv");
  for (const auto& [threshold, layer] : {std::pair<QString, QString>{"1e-6", "1"}, {"1", "12"}}) {
    r = test::runProgram(test::sweetBinary(), {"infer", model, "--rule", "learned", "--threshold", threshold, "--tsv", tsv,
                                               "--column", "sentence", "--out", csv});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QString("row\tprediction\texit\texit_layer\tconfidence\tlte_score"));
    for (int i = 1; i < 4; ++i) {
      const QStringList fields = lines[i].split('\t');
      QCOMPARE(fields[3], layer);
      const double score = fields[5].toDouble();
      QVERIFY2(score > 0 && score < 1, qPrintable(lines[i]));
    }
    const QStringList written = readAll(csv).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(written[0], QString("row,prediction,exit,exit_layer,confidence,lte_score"));
    QCOMPARE(written[1].split(',').size(), 6);
  }
  // Timed as confidence exiting is, and stored beside it under its own name.
  r = test::runProgram(test::sweetBinary(), {"infer", model, "--rule", "learned", "--measure", "--batch-size", "4",
                                             "--repeats", "1", "--warmup", "0", "--max-instances", "8"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("batch 4, learned exiting on cpu"), qPrintable(r.out));
  QVERIFY2(r.err.contains("-b4-t") && r.err.contains("-learned"), qPrintable(r.err));
}

// Issue 22: a saved model folder carries a manifest of its files' SHA-256; a flipped bit in
// the weights used to load and predict without complaint.
void TestInferCommand::infer_damagedModelFile_refusedNamingItAndBothHashes() {
  const QString manifest = readAll(QDir(model_).filePath("sweet-manifest.json"));
  QVERIFY2(manifest.contains("\"model.safetensors\"") && manifest.contains("\"config.json\"") &&
               manifest.contains("\"run_file\": \"" + QFileInfo(run_).fileName() + "\""),
           qPrintable(manifest));
  const QString damaged = dir_.filePath("damaged.model");
  QVERIFY(QDir().mkpath(damaged));
  for (const QString& f : QDir(model_).entryList(QDir::Files))
    QVERIFY(QFile::copy(QDir(model_).filePath(f), QDir(damaged).filePath(f)));
  const QString weights = QDir(damaged).filePath("model.safetensors");
  QFile file(weights);
  QVERIFY(file.open(QIODevice::ReadWrite));
  QByteArray bytes = file.readAll();
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  QVERIFY(file.seek(0));
  file.write(bytes);
  file.close();
  auto r = test::runProgram(test::sweetBinary(), {"infer", damaged, "--run", run_, "--threshold", "0.9", "--text", "a good film"});
  QVERIFY2(r.exit_code == 1, qPrintable(QString::number(r.exit_code) + " " + r.err));
  QVERIFY2(r.err.contains(weights + ": damaged or replaced: its SHA-256 is ") &&
               r.err.contains(QDir(damaged).filePath("sweet-manifest.json") + " records "),
           qPrintable(r.err));
  // Training from the damaged folder is refused the same way, before anything is written.
  const QString config = dir_.filePath("from-damaged.json");
  QFile c(config);
  QVERIFY(c.open(QIODevice::WriteOnly));
  c.write(QStringLiteral(R"({"task": "demo", "model": "%1", "method": "ee", "output_dir": "%2"})")
              .arg(damaged, dir_.filePath("from-damaged"))
              .toUtf8());
  c.close();
  r = test::runProgram(test::sweetBinary(), {"train", config});
  QVERIFY2(r.exit_code == 1, qPrintable(QString::number(r.exit_code) + " " + r.err));
  QVERIFY2(r.err.contains(weights + ": damaged or replaced"), qPrintable(r.err));
  QVERIFY(!QFileInfo::exists(dir_.filePath("from-damaged")));
}

// Issue 22: the run file of another seed passed with --run used to be accepted (same method
// and exits) and its temperatures applied to this model.
void TestInferCommand::infer_otherSeedsRunFile_refusedNamingBoth() {
  const QString out = dir_.filePath("runs-seed7");
  auto r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", out, "--seeds", "7"} + kTinyDemo);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QStringList runs = QDir(out).entryList({"*.h5"}, QDir::Files);
  QCOMPARE(runs.size(), 1);
  const QString other = QDir(out).filePath(runs.front());
  r = test::runProgram(test::sweetBinary(), {"infer", model_, "--run", other, "--threshold", "0.9", "--text", "a good film"});
  QVERIFY2(r.exit_code == 1, qPrintable(QString::number(r.exit_code) + " " + r.err));
  QVERIFY2(r.err.contains(other + " is not the run of " + model_ + ": the model was trained by " +
                          QFileInfo(run_).fileName()),
           qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), {"infer", model_, "--run", other, "--measure", "--no-write"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(" is not the run of "), qPrintable(r.err));
  // Its own run file, given explicitly, is accepted.
  r = test::runProgram(test::sweetBinary(), {"infer", model_, "--run", run_, "--threshold", "0.9", "--text", "a good film"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
}

void TestInferCommand::infer_precision_bf16RunsAndBadValuesAreRefused() {
  auto r = test::runProgram(test::sweetBinary(), {"infer", model_, "--threshold", "0.9", "--text", "the movie was good",
                                                  "--precision", "bf16"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 2);
  const QString label = lines[1].split('\t')[1];
  QVERIFY2(label == "negative" || label == "positive", qPrintable(lines[1]));
  r = test::runProgram(test::sweetBinary(), {"infer", model_, "--measure", "--thresholds", "0.5,1", "--batch-size", "8",
                                             "--repeats", "1", "--warmup", "0", "--max-instances", "16", "--threads",
                                             "1", "--precision", "bf16", "--no-write"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("thread(s) on cpu in bf16"), qPrintable(r.err));
  QVERIFY2(r.out.contains("12.00x"), qPrintable(r.out));  // t = 1/K: everyone at layer 1 of 12
  r = test::runProgram(test::sweetBinary(), {"infer", model_, "--measure", "--batch-size", "8", "--repeats", "1",
                                             "--max-instances", "8", "--threads", "1", "--no-write"});
  QVERIFY2(r.exit_code == 0 && r.err.contains("on cpu in fp32"), qPrintable(r.err));  // the run's own precision
  for (const auto& [value, expected] :
       {std::pair<QString, QString>{"fp64", "--precision must be fp32, tf32, bf16, fp16 or auto"},
        {"fp16", "--precision fp16 runs on CUDA only (device is cpu)"}}) {
    r = test::runProgram(test::sweetBinary(),
                         {"infer", model_, "--threshold", "0.9", "--text", "a good film", "--precision", value});
    QVERIFY2(r.exit_code != 0 && r.err.contains(expected), qPrintable(r.err));
  }
}

// Refused before the model is opened, so each case names the option and why.
void TestInferCommand::infer_cudaGraphs_refusedWhereTheyCannotRun() {
  const QString tsv = dir_.filePath("graphs.tsv");
  QFile f(tsv);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("text\na good film\n");
  f.close();
  struct Case {
    QStringList args;
    QString message;
  };
  QList<Case> cases = {
      {{"infer", model_, "--threshold", "0.9", "--text", "x", "--cuda-graphs"},
       "--cuda-graphs needs a CUDA device (--device is cpu)"},
      {{"infer", model_, "--measure", "--batch-size", "1", "--cuda-graphs"},
       "--cuda-graphs needs a CUDA device (--device is cpu)"},
      {{"infer", model_, "--threshold", "0.9", "--tsv", tsv, "--column", "text", "--rebatch", "--cuda-graphs", "--device",
        "cuda"},
       "--cuda-graphs serves batch 1 and --rebatch gathers rows into full batches"},
  };
  if (!cudaGraphsBuiltIn())
    cases.append({{"infer", model_, "--threshold", "0.9", "--text", "x", "--cuda-graphs", "--device", "cuda"},
                  "--cuda-graphs is not available: this sweet was built without CUDA graph support"});
  for (const Case& c : cases) {
    const auto r = test::runProgram(test::sweetBinary(), c.args);
    QVERIFY2(r.exit_code == 1, qPrintable(c.args.join(' ') + " -> " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains(c.message), qPrintable(c.args.join(' ') + " -> " + r.err));
  }
}

QTEST_GUILESS_MAIN(TestInferCommand)
#include "test_infer_command.moc"
