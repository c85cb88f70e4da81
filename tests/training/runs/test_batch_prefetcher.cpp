// The batch pipeline (training/runs/batch_prefetcher, training_batch): the prefetcher
// yields exactly the batches the direct path makes, from any starting point, and hands
// a batch maker's error to the caller; bucket padding changes shapes, not results; and a
// run with prefetching trains bit for bit like one without.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <stdexcept>

#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "training/models/early_exit_model.h"
#include "training/runs/batch_prefetcher.h"
#include "training/runs/data_split.h"
#include "training/runs/run_inputs.h"
#include "training/runs/trainer.h"
#include "training/runs/training_batch.h"

using namespace sweet;

class TestBatchPrefetcher : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void take_yieldsTheDirectBatchesOverTwoEpochs();
  void take_fromAResumeOffsetYieldsTheSameBatches();
  void take_passesTheMakersErrorToTheCaller();
  void padding_roundsLengthsUpAndMasksTheNewColumns();
  void padding_leavesTheLogitsWithinRounding();
  void run_withPrefetchingTrainsBitForBitLikeWithout();
  void cuda_sideStreamBatchesEqualTheDirectOnes();

 private:
  TrainConfig config(const QString& name) const;
  BatchPrefetcher::Make maker(BatchPadding padding = {}, c10::Device device = torch::kCPU) const;
  static bool sameBatch(const TrainingBatch& a, const TrainingBatch& b);

  QTemporaryDir dir_;
  std::string checkpoint_;
  std::unique_ptr<RunInputs> in_;
  DataSplits data_;
  static constexpr int64_t kBatch = 16;
};

void TestBatchPrefetcher::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", {3, 16, 2, 160, 48});
  const TrainConfig c = config("data");
  in_ = std::make_unique<RunInputs>(openRunInputs(c));
  data_ = prepareDataSplits(c, *in_->tokenizer, [](const std::string&) {});
}

TrainConfig TestBatchPrefetcher::config(const QString& name) const {
  TrainConfig c;
  c.task = "demo";
  c.model = checkpoint_;
  c.demo_train_size = 120;
  c.demo_eval_size = 40;
  c.train_cap = 72;  // 72 / 16: four full batches and a short one per epoch
  c.calibration_size = 30;
  c.batch_size = kBatch;
  c.epochs = 2;
  c.max_length = 40;
  c.learning_rate = 1e-3;
  c.exit_layers = {1, 3};
  c.threads = 1;
  c.output_dir = dir_.filePath(name).toStdString();
  c.save_model = false;
  return c;
}

// Batch i as the trainer numbers them: epoch i / perEpoch, its (i % perEpoch)-th slice.
BatchPrefetcher::Make TestBatchPrefetcher::maker(BatchPadding padding, c10::Device device) const {
  const int64_t rows = static_cast<int64_t>(data_.train.size()), perEpoch = (rows + kBatch - 1) / kBatch;
  return [this, rows, perEpoch, padding, device](int64_t i) {
    const auto order = epochOrder(rows, 42, i / perEpoch);
    const auto begin = static_cast<size_t>(i % perEpoch * kBatch);
    const auto end = std::min(static_cast<size_t>(rows), begin + static_cast<size_t>(kBatch));
    return makeBatch(*in_->tokenizer, data_.train, order, begin, end, false, device, padding);
  };
}

bool TestBatchPrefetcher::sameBatch(const TrainingBatch& a, const TrainingBatch& b) {
  return torch::equal(a.input.input_ids, b.input.input_ids) && torch::equal(a.input.attention_mask, b.input.attention_mask) &&
         torch::equal(a.input.token_type_ids, b.input.token_type_ids) && torch::equal(a.labels, b.labels);
}

void TestBatchPrefetcher::take_yieldsTheDirectBatchesOverTwoEpochs() {
  const auto make = maker();
  BatchPrefetcher prefetched(make, true);
  for (int64_t i = 0; i < 10; ++i) {  // two epochs of five batches
    const TrainingBatch got = prefetched.take(i);
    QVERIFY2(sameBatch(got, make(i)), qPrintable(QString("batch %1").arg(i)));
    QCOMPARE(got.rows(), i % 5 == 4 ? int64_t{72 - 4 * kBatch} : kBatch);
  }
  QVERIFY(!sameBatch(make(0), make(5)));  // the second epoch is another order: the comparison can fail
}

void TestBatchPrefetcher::take_fromAResumeOffsetYieldsTheSameBatches() {
  const auto make = maker();
  BatchPrefetcher resumed(make, true);
  for (int64_t i = 7; i < 12; ++i) QVERIFY2(sameBatch(resumed.take(i), make(i)), qPrintable(QString("batch %1").arg(i)));
  QVERIFY(sameBatch(resumed.take(3), make(3)));  // a jump back: made directly, not the one in flight
}

void TestBatchPrefetcher::take_passesTheMakersErrorToTheCaller() {
  const auto make = maker();
  auto failing = [make](int64_t i) -> TrainingBatch {
    if (i == 3) throw std::runtime_error("train.tsv row 48: label 'maybe' is not one of the task's labels");
    return make(i);
  };
  {
    BatchPrefetcher prefetched(failing, true);
    for (int64_t i = 0; i < 3; ++i) QVERIFY(sameBatch(prefetched.take(i), make(i)));  // take(2) starts batch 3
    try {
      prefetched.take(3);
      QFAIL("the maker's error did not reach the caller");
    } catch (const std::runtime_error& e) {
      QCOMPARE(QString(e.what()), QString("train.tsv row 48: label 'maybe' is not one of the task's labels"));
    }
  }
  // A failing batch in flight that nobody takes (the run stopped before it) ends quietly.
  BatchPrefetcher stopped(failing, true);
  QVERIFY(sameBatch(stopped.take(2), make(2)));
}

void TestBatchPrefetcher::padding_roundsLengthsUpAndMasksTheNewColumns() {
  const auto plain = maker(), bucketed = maker(BatchPadding{8, 40});
  bool someWidened = false;
  for (int64_t i = 0; i < 5; ++i) {
    const TrainingBatch a = plain(i), b = bucketed(i);
    const int64_t T = a.input.input_ids.size(1), Tb = b.input.input_ids.size(1);
    QVERIFY2(Tb % 8 == 0 || Tb == 40, qPrintable(QString("batch %1: length %2").arg(i).arg(Tb)));
    QVERIFY(Tb >= T && Tb < T + 8);
    someWidened = someWidened || Tb > T;
    QVERIFY(torch::equal(b.input.input_ids.narrow(1, 0, T), a.input.input_ids));
    QVERIFY(torch::equal(b.input.attention_mask.narrow(1, 0, T), a.input.attention_mask));
    QVERIFY(torch::equal(b.input.token_type_ids.narrow(1, 0, T), a.input.token_type_ids));
    QCOMPARE(b.input.attention_mask.narrow(1, T, Tb - T).sum().item<int64_t>(), int64_t{0});
    QVERIFY(b.input.input_ids.narrow(1, T, Tb - T).eq(std::max<int64_t>(in_->tokenizer->padId(), 0)).all().item<bool>());
  }
  QVERIFY(someWidened);
  // Never past max_length: the position table of a model ends there.
  const TrainingBatch capped = maker(BatchPadding{64, 40})(0);
  QVERIFY(capped.input.input_ids.size(1) <= 40);
}

void TestBatchPrefetcher::padding_leavesTheLogitsWithinRounding() {
  torch::manual_seed(0);
  EarlyExitModel model(testing::tinyBertConfig({3, 16, 2, 160, 48}), {1, 3}, 2, "ee", false);
  model.eval();
  torch::NoGradGuard noGrad;
  const TrainingBatch a = maker()(0), b = maker(BatchPadding{32, 40})(0);
  QVERIFY(b.input.input_ids.size(1) > a.input.input_ids.size(1));
  const auto la = model.forwardExits(a.input), lb = model.forwardExits(b.input);
  for (size_t e = 0; e < la.size(); ++e) {
    const float diff = (la[e] - lb[e]).abs().max().item<float>();
    QVERIFY2(diff < 1e-5f, qPrintable(QString("exit %1: %2").arg(e).arg(diff)));
  }
}

void TestBatchPrefetcher::run_withPrefetchingTrainsBitForBitLikeWithout() {
  std::vector<std::vector<float>> losses[2];
  std::vector<float> logits[2];
  for (int i = 0; i < 2; ++i) {
    TrainConfig c = config(i == 0 ? "direct" : "prefetched");
    c.prefetch_batches = i == 1;
    TrainCallbacks cb;
    cb.on_step = [&](const StepMetrics& m) {
      losses[i].push_back(m.exit_losses);
      return true;
    };
    const TrainResult r = runTraining(c, cb);
    QCOMPARE(r.outcome, RunState::Finished);
    logits[i] = analysis::loadRun(r.run_file).eval.logits;
  }
  QCOMPARE(losses[0].size(), size_t{10});
  QVERIFY(losses[0] == losses[1]);  // dropout on: the generator sees the same calls in the same order
  QVERIFY(logits[0] == logits[1]);
}

// On CUDA the thread copies on a side stream and the caller's stream waits for it: each
// batch, read on the caller's stream after a kernel that overwrites the previous one's
// memory, equals the one made directly.
void TestBatchPrefetcher::cuda_sideStreamBatchesEqualTheDirectOnes() {
  if (!torch::cuda::is_available()) QSKIP("no CUDA device: the side-stream copy runs on CUDA only");
  const c10::Device cuda("cuda:0");
  const auto make = maker({}, cuda);
  BatchPrefetcher prefetched(make, true, cuda);
  for (int64_t i = 0; i < 10; ++i) {
    const TrainingBatch got = prefetched.take(i);
    const torch::Tensor busy = torch::randn({2048, 2048}, torch::TensorOptions().device(cuda)).matmul(
        torch::randn({2048, 2048}, torch::TensorOptions().device(cuda)));  // keeps the stream busy
    QVERIFY2(sameBatch(got, make(i)), qPrintable(QString("batch %1").arg(i)));
    QVERIFY(busy.defined());
  }
}

QTEST_GUILESS_MAIN(TestBatchPrefetcher)
#include "test_batch_prefetcher.moc"
