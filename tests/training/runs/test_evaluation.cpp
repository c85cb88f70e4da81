// Evaluation batches sorted by length (eval_length_buckets): the rows go through the model
// in length order and come back in eval order, each instance's logits and LTE scores
// equal to those of the unsorted batches up to the last bits, and a run file forced to sort
// on the CPU keeps its rows in eval order; auto sorts on CUDA only.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "tests/support/tiny_trainer_config.h"
#include "training/runs/data_split.h"
#include "training/runs/evaluation.h"
#include "training/runs/run_inputs.h"
#include "training/runs/trainer.h"
#include "training/runs/training_model.h"

using namespace sweet;

class TestEvaluation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void byLength_givesEachInstanceItsOwnLogitsInEvalOrder();
  void byLength_runFileKeepsEvalOrder();
  void setting_autoSortsOnCudaOnly();

 private:
  QTemporaryDir dir_;
  std::string checkpoint_;
};

void TestEvaluation::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", {3, 16, 2, 160, 48});
}

// Tolerance: the same rows in other batches pad to other lengths; padding is masked, so
// only the matmuls' blocking differs (about 1e-7 of logits of order 0.1 here).
void TestEvaluation::byLength_givesEachInstanceItsOwnLogitsInEvalOrder() {
  TrainConfig c = testing::tinyTrainerConfig(checkpoint_, dir_.filePath("unit").toStdString());
  c.lte.enabled = true;
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  std::set<size_t> lengths;
  for (const auto& e : d.eval.encodings) lengths.insert(e.input_ids.size());
  QVERIFY2(lengths.size() > 3, "the eval rows must differ in length for sorting to move them");
  auto t = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCPU);
  const ExitOutputs plain = exitOutputs(*t, *in.tokenizer, d.eval, 8, 2, torch::kCPU, true, false);
  const ExitOutputs sorted = exitOutputs(*t, *in.tokenizer, d.eval, 8, 2, torch::kCPU, true, true);
  QCOMPARE(sorted.logits.size(), plain.logits.size());
  QCOMPARE(sorted.lte_scores.size(), plain.lte_scores.size());
  float largest = 0, spread = 0;
  for (size_t i = 0; i < plain.logits.size(); ++i) {
    QVERIFY2(std::abs(sorted.logits[i] - plain.logits[i]) <= 1e-5f, qPrintable(QString("logit %1").arg(i)));
    largest = std::max(largest, std::abs(plain.logits[i]));
    spread = std::max(spread, std::abs(plain.logits[i] - plain.logits[0]));
  }
  for (size_t i = 0; i < plain.lte_scores.size(); ++i) QVERIFY(std::abs(sorted.lte_scores[i] - plain.lte_scores[i]) <= 1e-5f);
  QVERIFY2(spread > 1e-3f, "the instances' logits must differ, or a wrong order would pass");
  QVERIFY(t->model->is_training());
}

void TestEvaluation::byLength_runFileKeepsEvalOrder() {
  std::vector<analysis::RunData> runs;
  for (const std::string setting : {"off", "on"}) {
    TrainConfig c = testing::tinyTrainerConfig(checkpoint_, dir_.filePath(QString::fromStdString(setting)).toStdString());
    c.eval_length_buckets = setting;
    c.eval_batch_size = 8;
    c.eval_every = 2;
    const TrainResult r = runTraining(c);
    QCOMPARE(r.outcome, RunState::Finished);
    runs.push_back(analysis::loadRun(r.run_file));
  }
  QCOMPARE(runs[1].trainLoss, runs[0].trainLoss);  // the steps are untouched
  QCOMPARE(runs[1].eval.labels, runs[0].eval.labels);
  QCOMPARE(runs[1].eval.logits.size(), runs[0].eval.logits.size());
  for (size_t i = 0; i < runs[0].eval.logits.size(); ++i)
    QVERIFY(std::abs(runs[1].eval.logits[i] - runs[0].eval.logits[i]) <= 1e-5f);
  QCOMPARE(runs[1].interimEvals, runs[0].interimEvals);
}

void TestEvaluation::setting_autoSortsOnCudaOnly() {
  QVERIFY(!evalByLength("auto", torch::kCPU));
  QVERIFY(evalByLength("auto", c10::Device("cuda:0")));
  QVERIFY(evalByLength("on", torch::kCPU));
  QVERIFY(!evalByLength("off", c10::Device("cuda:0")));
  try {
    trainConfigFromJson({{"eval_length_buckets", true}}, "run.json", {});
    QFAIL("a bool was accepted");
  } catch (const std::exception&) {
  }
  try {
    trainConfigFromJson({{"eval_length_buckets", "sometimes"}}, "run.json", {});
    QFAIL("sometimes was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("eval_length_buckets must be auto, on or off") != std::string::npos, e.what());
  }
}

QTEST_GUILESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"
