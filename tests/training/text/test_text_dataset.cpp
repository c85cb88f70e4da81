// GLUE and custom-format readers: the real files' quirks (MRPC's byte-order mark, SST-2's
// trailing spaces, CoLA's missing header and final newline), precise errors, skipping.
#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "tests/support/test_paths.h"
#include "training/text/demo_task.h"
#include "training/text/text_dataset.h"
#include "training/runs/train_config.h"

using namespace sweet;

class TestTextDataset : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void glue_sst2CountsAndLabels();
  void glue_mrpcByteOrderMarkAndPairs();
  void glue_colaNoHeaderNoFinalNewline();
  void glue_rteStringLabels();
  void glue_mnliAndQqpSubsets();
  void stsb_floatTargets();
  void regression_nonNumericTarget_namesFileAndLine();
  void malformedRow_namesFileAndLine();
  void malformedRow_skippedAndCountedOnRequest();
  void custom_csvQuotingAndJsonl();
  void demo_isDeterministicAndBalanced();
  void config_unknownKeyAndOverrides();
  void config_everyPresetParses();
};

namespace {
std::string writeFile(const QTemporaryDir& dir, const QString& name, const std::string& text) {
  const std::string path = dir.filePath(name).toStdString();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}
}  // namespace

void TestTextDataset::glue_sst2CountsAndLabels() {
  const QString train = test::sharedData("glue/SST-2/train.tsv"), dev = test::sharedData("glue/SST-2/dev.tsv");
  SWEET_REQUIRE_SHARED(train);
  auto t = readTextDataset(train.toStdString(), *glueTask("SST-2"));
  auto d = readTextDataset(dev.toStdString(), *glueTask("sst2"));
  QCOMPARE(t.examples.size(), size_t{67349});
  QCOMPARE(d.examples.size(), size_t{872});
  int64_t positives = 0;
  for (const auto& e : t.examples) positives += e.label;
  QCOMPARE(positives, 37569);
  QVERIFY(!t.examples[0].text_b.has_value());
  QCOMPARE(t.examples[0].line, 2);
}

void TestTextDataset::glue_mrpcByteOrderMarkAndPairs() {
  const QString dev = test::sharedData("glue/MRPC/dev.tsv");
  SWEET_REQUIRE_SHARED(dev);
  auto d = readTextDataset(dev.toStdString(), *glueTask("MRPC"));  // header starts with U+FEFF
  QCOMPARE(d.examples.size(), size_t{408});
  int64_t positives = 0;
  for (const auto& e : d.examples) positives += e.label;
  QCOMPARE(positives, 279);
  QVERIFY(d.examples[0].text_b.has_value());
  QVERIFY(glueTask("mrpc")->also_f1);
}

void TestTextDataset::glue_colaNoHeaderNoFinalNewline() {
  const QString dev = test::sharedData("glue/CoLA/dev.tsv");
  SWEET_REQUIRE_SHARED(dev);
  auto d = readTextDataset(dev.toStdString(), *glueTask("CoLA"));
  QCOMPARE(d.examples.size(), size_t{1043});  // the last line has no newline and still counts
  int64_t acceptable = 0;
  for (const auto& e : d.examples) acceptable += e.label;
  QCOMPARE(acceptable, 721);
  QCOMPARE(glueTask("cola")->metric, std::string("mcc"));
}

void TestTextDataset::glue_rteStringLabels() {
  const QString train = test::sharedData("glue/RTE/train.tsv");
  SWEET_REQUIRE_SHARED(train);
  auto t = readTextDataset(train.toStdString(), *glueTask("rte"));
  QCOMPARE(t.examples.size(), size_t{2490});
  int64_t notEntailment = 0;
  for (const auto& e : t.examples) notEntailment += e.label;
  QCOMPARE(notEntailment, 1241);
}

void TestTextDataset::glue_mnliAndQqpSubsets() {
  const QString mnli = test::sharedData("glue/MNLI/subsets/lmbff_k16_seed42_train.tsv");
  const QString qqp = test::sharedData("glue/QQP/subsets/lmbff_k16_seed42_train.tsv");
  const QString qnli = test::sharedData("glue/QNLI/subsets/lmbff_k16_seed42_train.tsv");
  SWEET_REQUIRE_SHARED(mnli);
  QCOMPARE(readTextDataset(mnli.toStdString(), *glueTask("mnli")).examples.size(), size_t{48});
  QCOMPARE(readTextDataset(qqp.toStdString(), *glueTask("qqp")).examples.size(), size_t{32});
  QCOMPARE(readTextDataset(qnli.toStdString(), *glueTask("qnli")).examples.size(), size_t{32});
}

void TestTextDataset::stsb_floatTargets() {
  const QString train = test::sharedData("glue/STS-B/train.tsv");
  SWEET_REQUIRE_SHARED(train);
  const auto task = glueTask("STS-B");
  QVERIFY(task && task->regression);
  QCOMPARE(task->metric, std::string("pearson"));
  auto t = readTextDataset(train.toStdString(), *task);
  QCOMPARE(t.examples.size(), size_t{5749});
  // First row: "A plane is taking off." / "An air plane is taking off." scored 5.000.
  QCOMPARE(t.examples[0].text_a, std::string("A plane is taking off."));
  QCOMPARE(t.examples[0].target, 5.0f);
  QCOMPARE(t.examples[1].target, 3.8f);
  QCOMPARE(t.examples[0].label, int64_t{-1});
  for (const auto& e : t.examples) QVERIFY(e.target >= 0 && e.target <= 5);
}

void TestTextDataset::regression_nonNumericTarget_namesFileAndLine() {
  QTemporaryDir dir;
  const auto path = writeFile(dir, "sts.tsv", "sentence1\tsentence2\tscore\na\tb\t2.5\nc\td\thigh\n");
  try {
    readTextDataset(path, *glueTask("stsb"));
    QFAIL("expected an error");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    QVERIFY2(what.find("sts.tsv:3") != std::string::npos && what.find("'high' is not a number") != std::string::npos,
             e.what());
  }
  auto skipped = readTextDataset(path, *glueTask("stsb"), /*skip_invalid=*/true);
  QCOMPARE(skipped.examples.size(), size_t{1});
  QCOMPARE(skipped.examples[0].target, 2.5f);
  QCOMPARE(skipped.skipped_rows, int64_t{1});
}

void TestTextDataset::malformedRow_namesFileAndLine() {
  QTemporaryDir dir;
  const auto path = writeFile(dir, "bad.tsv", "sentence\tlabel\ngood film\t1\nno label here\nfine\t0\n");
  try {
    readTextDataset(path, *glueTask("sst2"));
    QFAIL("a row without a label was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path + ":3: row has 1 fields")), e.what());
  }
  const auto badLabel = writeFile(dir, "label.tsv", "sentence\tlabel\ngood film\t7\n");
  try {
    readTextDataset(badLabel, *glueTask("sst2"));
    QFAIL("label 7 accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains(":2: label '7' is not one of {0, 1}"), e.what());
  }
}

void TestTextDataset::malformedRow_skippedAndCountedOnRequest() {
  QTemporaryDir dir;
  const auto path = writeFile(dir, "bad.tsv", "sentence\tlabel\ngood film\t1\nno label here\n\t1\nfine\t0");
  auto d = readTextDataset(path, *glueTask("sst2"), /*skip_invalid=*/true);
  QCOMPARE(d.examples.size(), size_t{2});
  QCOMPARE(d.skipped_rows, 2);
}

void TestTextDataset::custom_csvQuotingAndJsonl() {
  QTemporaryDir dir;
  TaskSpec t;
  t.name = "custom";
  t.text_column = "text";
  t.text_b_column = "context";
  t.label_column = "y";
  t.label_names = {"no", "yes"};
  const auto csv = writeFile(dir, "d.csv", "text,context,y\n\"a, quoted \"\"text\"\"\",\"line\nbreak\",yes\nplain,b,no\n");
  auto d = readTextDataset(csv, t);
  QCOMPARE(d.examples.size(), size_t{2});
  QCOMPARE(d.examples[0].text_a, std::string("a, quoted \"text\""));
  QCOMPARE(*d.examples[0].text_b, std::string("line\nbreak"));
  QCOMPARE(d.examples[0].label, 1);
  QCOMPARE(d.examples[1].line, 4);
  const auto jsonl = writeFile(dir, "d.jsonl", "{\"text\": \"x\", \"context\": \"c\", \"y\": \"no\"}\n\n{\"text\": \"z\", \"y\": \"yes\"}\n");
  try {
    readTextDataset(jsonl, t);
    QFAIL("missing context accepted as text");
  } catch (const std::runtime_error&) {
  }
  t.text_b_column.clear();
  auto j = readTextDataset(jsonl, t);
  QCOMPARE(j.examples.size(), size_t{2});
  QCOMPARE(j.examples[1].line, 3);
}

void TestTextDataset::demo_isDeterministicAndBalanced() {
  auto a = generateDemoExamples(2000, 5), b = generateDemoExamples(2000, 5);
  int counts[3] = {0, 0, 0}, positives = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    QCOMPARE(a[i].example.text_a, b[i].example.text_a);
    ++counts[static_cast<int>(a[i].difficulty)];
    positives += static_cast<int>(a[i].example.label);
  }
  QVERIFY(counts[0] > 700 && counts[1] > 500 && counts[2] > 500);
  QVERIFY(positives > 900 && positives < 1100);
  // Negation flips the polarity of the word it governs, and only that: every negation
  // instance contains a negator, yet both labels occur.
  int negatedGreat = 0, plainGreat = 0;
  for (const auto& d : a) {
    if (d.difficulty != DemoDifficulty::Negation) continue;
    const std::string& t = d.example.text_a;
    QVERIFY2(t.find("not ") != std::string::npos || t.find("never ") != std::string::npos, t.c_str());
    if (t.find("not great") != std::string::npos || t.find("never great") != std::string::npos) {
      QCOMPARE(d.example.label, 0);
      ++negatedGreat;
    }
    if (t.find("was great") != std::string::npos || t.find("is great") != std::string::npos) {
      QCOMPARE(d.example.label, 1);
      ++plainGreat;
    }
  }
  QVERIFY(negatedGreat > 0 && plainGreat > 0);
}

void TestTextDataset::config_unknownKeyAndOverrides() {
  nlohmann::json j = {{"task", "rte"}, {"learning_rate", 2e-5}};
  applyOverride(j, "gradients.every=25");
  applyOverride(j, "method=sweet");
  TrainConfig c = trainConfigFromJson(j, "cfg.json");
  QCOMPARE(c.gradients.every, 25);
  QCOMPARE(c.method, std::string("sweet"));
  QCOMPARE(c.train_cap, 6000);
  QCOMPARE(c.batch_size, 16);
  QCOMPARE(c.epochs, 2);
  QCOMPARE(c.max_length, 256);
  // A dotted key through a plain value is a message, not a JSON type error (found by fuzzing).
  for (const char* bad : {"learning_rate.x=1", "gradients..every=1", ".x=1"}) {
    nlohmann::json copy = j;
    try {
      applyOverride(copy, bad);
      QFAIL(qPrintable(QStringLiteral("accepted %1").arg(bad)));
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).startsWith("--set "), e.what());
    }
  }
  j["lerning_rate"] = 1;
  try {
    trainConfigFromJson(j, "cfg.json");
    QFAIL("a misspelt key was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith("cfg.json: unknown key 'lerning_rate'"), e.what());
  }
  j.erase("lerning_rate");
  j["gradients"]["evry"] = 2;
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, trainConfigFromJson(j, "cfg.json"));
}

void TestTextDataset::config_everyPresetParses() {
  int parsed = 0;
  QDirIterator it(QStringLiteral(SWEET_RESOURCES_DIR), {"*.json"}, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    if (path.endsWith("demo/config.json")) continue;  // a BERT config, not a run config
    if (path.contains("/sweeps/")) continue;  // sweep files, not run configs: test_sweep_spec loads them
    if (path.endsWith("demo/pretrain.json")) continue;  // a sweet pretrain config (sweet demo --pretrain reads it)
    std::ifstream in(path.toStdString());
    const TrainConfig c = trainConfigFromJson(nlohmann::json::parse(in), path.toStdString());
    QVERIFY(c.exit_layers.empty() || c.exit_layers.size() == 4);
    ++parsed;
  }
  QCOMPARE(parsed, 6 * 7 + 1);  // 6 model presets (BERT base/large, DeBERTa v1 and v3 base/large) x 7 GLUE tasks + the demo
}

QTEST_GUILESS_MAIN(TestTextDataset)
#include "test_text_dataset.moc"
