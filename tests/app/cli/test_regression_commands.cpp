// STS-B, the regression task, as a researcher runs it through the `sweet` binary: a tiny
// random BERT with the real vocabulary trained by EE, SWEET and MM on a few hundred rows,
// the run files holding one prediction per exit and float targets, and `sweet report`
// printing per-exit Pearson and Spearman and saying that no confidence curve exists.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>

#include "analysis/hdf5_util.h"
#include "analysis/metrics.h"
#include "analysis/run_data.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestRegressionCommands : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void stsb_threeMethods_reportPearsonSpearmanPerExit();
  void stsb_gradientRecords_refusedByName();
  void stsbLayout_learnableScore_pearsonHigh();

 private:
  QString writeConfig(const QString& name, const nlohmann::json& config);
  QTemporaryDir dir_;
  QString data_, model_;
};

QString TestRegressionCommands::writeConfig(const QString& name, const nlohmann::json& config) {
  const QString path = dir_.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QByteArray::fromStdString(config.dump(2)));
  return path;
}

void TestRegressionCommands::initTestCase() {
  data_ = test::sharedData("glue/STS-B");
  const QString vocab = test::sharedData("vocab/bert-base-uncased/vocab.txt");
  SWEET_REQUIRE_SHARED(data_ + "/train.tsv");
  SWEET_REQUIRE_SHARED(vocab);
  // Four layers of width 32 over the real 30,522-word vocabulary: seconds per epoch.
  const QString config = writeConfig("tiny.json", {{"vocab_size", 30522}, {"hidden_size", 32}, {"num_hidden_layers", 4},
                                                   {"num_attention_heads", 2}, {"intermediate_size", 64},
                                                   {"max_position_embeddings", 64}});
  model_ = dir_.filePath("tiny-bert");
  auto r = test::runProgram(test::sweetBinary(), {"init-checkpoint", "--config", config, "--out", model_, "--vocab", vocab});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
}

void TestRegressionCommands::stsb_threeMethods_reportPearsonSpearmanPerExit() {
  const QString runs = dir_.filePath("runs");
  QStringList files;
  for (const char* method : {"ee", "sweet", "mm"}) {
    const QString config = writeConfig(QStringLiteral("stsb-%1.json").arg(method),
                                       {{"task", "stsb"}, {"data_dir", data_.toStdString()}, {"model", model_.toStdString()},
                                        {"method", method}, {"exit_layers", {1, 2, 4}}, {"train_cap", 320},
                                        {"eval_max_examples", 200}, {"epochs", 3}, {"batch_size", 16},
                                        {"learning_rate", 1e-3}, {"warmup_ratio", 0.1}, {"max_length", 48}, {"seed", 3},
                                        {"gradients", {{"every", 0}}}, {"save_model", false},
                                        {"output_dir", runs.toStdString()}});
    auto r = test::runProgram(test::sweetBinary(), {"train", config});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("exit 2 (layer 4): pearson"), qPrintable(r.out));
    files << QDir(runs).filePath(QStringLiteral("stsb-%1-lr0.001-s3.h5").arg(method));
    QVERIFY2(QFile::exists(files.back()), qPrintable(r.out + files.back()));
  }

  // The file: task_type regression, one output per exit, float targets equal to the TSV's.
  const analysis::RunData run = analysis::loadRun(files.front().toStdString());
  QVERIFY(run.regression);
  QCOMPARE(run.metric, std::string("pearson"));
  QCOMPARE(run.numLabels, int64_t{1});
  QCOMPARE(run.eval.instances, int64_t{200});
  QCOMPARE(run.eval.targets.size(), size_t{200});
  QCOMPARE(run.eval.targets[0], 5.0f);  // dev.tsv row 1: "A man with a hard hat is dancing." 5.000
  QVERIFY(run.eval.labels.empty());
  {
    H5::H5File f(files.front().toStdString(), H5F_ACC_RDONLY);
    QCOMPARE(h5::datasetShape(f, "eval/logits"), (h5::Shape{3, 200, 1}));
  }

  auto r = test::runProgram(test::sweetBinary(), QStringList{"report"} + files);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  for (const char* expected : {"3 group(s)", "(pearson)", "spearman (secondary)", "stsb is a regression task",
                               "no confidence-based exiting", "Confidences: none (regression runs"})
    QVERIFY2(r.out.contains(expected), qPrintable(QString(expected) + "\n" + r.out));
  qInfo().noquote() << r.out;

  // Every exit of every method has a finite Pearson and Spearman, the same the trainer printed.
  r = test::runProgram(test::sweetBinary(), QStringList{"report", "--format", "json"} + files);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const nlohmann::json report = nlohmann::json::parse(r.out.toStdString());
  QCOMPARE(report["groups"].size(), size_t{3});
  for (const auto& g : report["groups"]) {
    QCOMPARE(g["metric"].get<std::string>(), std::string("pearson"));
    QCOMPARE(g["per_exit"].size(), size_t{3});
    QCOMPARE(g["per_exit_secondary"].size(), size_t{3});
    for (const auto& s : g["per_exit"]) QVERIFY(std::abs(s["mean"].get<double>()) <= 1);
    for (const auto& s : g["per_exit_secondary"]) QVERIFY(std::abs(s["mean"].get<double>()) <= 1);
  }
  // Recomputed from the file: the report's last-exit Pearson of EE.
  std::vector<double> predicted, truth(run.eval.targets.begin(), run.eval.targets.end());
  for (int64_t i = 0; i < run.eval.instances; ++i) predicted.push_back(run.eval.row(2, i)[0]);
  const double pearson = analysis::pearson(predicted, truth);
  bool found = false;
  for (const auto& g : report["groups"])
    if (g["method"] == "ee") found = std::abs(g["per_exit"][2]["mean"].get<double>() - pearson) < 1e-9;
  QVERIFY2(found, qPrintable(QString::fromStdString(report.dump())));
  // What the tiny model reaches on 320 rows, for the record (random init: near zero).
  qInfo() << "ee last-exit pearson" << pearson << "spearman" << analysis::spearman(predicted, truth);
}

void TestRegressionCommands::stsb_gradientRecords_refusedByName() {
  const QString config = writeConfig("stsb-grad.json", {{"task", "stsb"}, {"data_dir", data_.toStdString()},
                                                        {"model", model_.toStdString()}, {"gradients", {{"every", 5}}},
                                                        {"output_dir", dir_.filePath("grad").toStdString()}});
  auto r = test::runProgram(test::sweetBinary(), {"train", config});
  QVERIFY(r.exit_code != 0);
  QVERIFY2(r.err.contains("gradients.every") && r.err.contains("regression"), qPrintable(r.err));
}

// STS-B's layout with a score the tiny model can learn (how many times "good" occurs in the
// first sentence, 0-5, among filler words): training must drive Pearson well above zero,
// which a misaligned target or a wrong loss would not.
void TestRegressionCommands::stsbLayout_learnableScore_pearsonHigh() {
  auto writeRows = [&](const QString& name, int rows, unsigned seed) {
    const QString path = dir_.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return QString();
    f.write("sentence1\tsentence2\tscore\n");
    const char* filler[] = {"the", "film", "was", "a", "story", "about", "people"};
    unsigned state = seed;
    auto next = [&] {  // a fixed LCG: the same rows on every platform
      state = state * 1103515245u + 12345u;
      return (state >> 16) & 0x7fffu;
    };
    for (int r = 0; r < rows; ++r) {
      const int goods = static_cast<int>(next() % 6);
      QStringList words;
      for (int i = 0; i < 8; ++i) words << filler[next() % 7];
      for (int g = 0; g < goods; ++g) words.insert(static_cast<int>(next() % (words.size() + 1)), "good");
      f.write(QStringLiteral("%1\tthe film\t%2.000\n").arg(words.join(' ')).arg(goods).toUtf8());
    }
    return path;
  };
  const QString train = writeRows("count-train.tsv", 800, 1), eval = writeRows("count-dev.tsv", 200, 2);
  const QString config = writeConfig("count.json", {{"task", "stsb"}, {"train_file", train.toStdString()},
                                                    {"eval_file", eval.toStdString()}, {"model", model_.toStdString()},
                                                    {"method", "ee"}, {"exit_layers", {1, 2, 4}}, {"epochs", 4},
                                                    {"batch_size", 16}, {"learning_rate", 1e-3}, {"warmup_ratio", 0.1},
                                                    {"max_length", 24}, {"seed", 1}, {"gradients", {{"every", 0}}},
                                                    {"save_model", false}, {"run_name", "count"},
                                                    {"output_dir", dir_.filePath("count").toStdString()}});
  auto r = test::runProgram(test::sweetBinary(), {"train", config});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const analysis::RunData run = analysis::loadRun(dir_.filePath("count/count.h5").toStdString());
  std::vector<double> predicted, truth(run.eval.targets.begin(), run.eval.targets.end());
  for (int64_t i = 0; i < run.eval.instances; ++i) predicted.push_back(run.eval.row(2, i)[0]);
  const double pearson = analysis::pearson(predicted, truth), spearman = analysis::spearman(predicted, truth);
  qInfo() << "learnable score, last exit: pearson" << pearson << "spearman" << spearman;
  QVERIFY2(pearson > 0.5, qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestRegressionCommands)
#include "test_regression_commands.moc"
