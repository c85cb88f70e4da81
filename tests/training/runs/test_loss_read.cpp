// loss_read late (the CUDA default): a step's losses are read after the next step is
// launched. Forced on the CPU, a run must write the same file as reading at once (rows in
// order, interim evaluations and gradient records on the weights of their step), write the
// launched step's row when it stops and resume from there bit for bit, and fail a NaN run
// with the same message. On a CUDA machine the default (late) is checked against now.
#include <QTemporaryDir>
#include <QtTest>

#include <H5Cpp.h>
#include <torch/torch.h>

#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "tests/support/tiny_trainer_config.h"
#include "training/runs/trainer.h"

using namespace sweet;

class TestLossRead : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void late_writesTheRunFileReadingNowWrites();
  void late_stopWritesTheLaunchedStepAndResumesBitForBit();
  void late_nanStepFailsWithTheSameMessage();
  void config_refusesAnotherValueNamingTheKey();
  void cuda_lateDefaultMatchesReadingNow();

 private:
  TrainConfig config(const QString& name, const std::string& read) const {
    TrainConfig c = testing::tinyTrainerConfig(checkpoint_, dir_.filePath(name).toStdString());
    c.loss_read = read;
    c.epochs = 2;  // 10 steps, across an epoch boundary
    return c;
  }
  QTemporaryDir dir_;
  std::string checkpoint_;
};

namespace {

// Every float dataset a step writes or reads the weights for, bit for bit.
void compareRunFiles(const std::string& a, const std::string& b) {
  H5::H5File fa(a, H5F_ACC_RDONLY), fb(b, H5F_ACC_RDONLY);
  for (const char* path : {"/train/loss", "/train/lr", "/eval/logits", "/eval/history/logits", "/gradients/norm"}) {
    QVERIFY2(h5::exists(fa, path) == h5::exists(fb, path), path);
    if (!h5::exists(fa, path)) continue;
    const std::vector<float> x = h5::readFloat32(fa, path), y = h5::readFloat32(fb, path);
    QVERIFY2(x == y, path);
  }
  QCOMPARE(analysis::loadRun(a).trainSteps, analysis::loadRun(b).trainSteps);
}

}  // namespace

void TestLossRead::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", {3, 16, 2, 160, 48});
}

// Interim evaluations, gradient records (on the train batch: the record waits for the next
// step's batch) and checkpoints fall on some steps, so late rows are written around them.
void TestLossRead::late_writesTheRunFileReadingNowWrites() {
  std::vector<std::string> files;
  for (const std::string read : {"now", "late"}) {
    TrainConfig c = config(QString::fromStdString("same-" + read), read);
    c.eval_every = 3;
    c.checkpoint_every = 4;
    c.gradients.every = 4;
    c.gradients.probe = "train_batch";
    std::vector<int64_t> steps;
    TrainCallbacks cb;
    cb.on_step = [&](const StepMetrics& m) {
      steps.push_back(m.step);
      return true;
    };
    const TrainResult r = runTraining(c, cb);
    QCOMPARE(r.outcome, RunState::Finished);
    QCOMPARE(steps, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));  // in order, the last one too
    files.push_back(r.run_file);
  }
  compareRunFiles(files[0], files[1]);
  const analysis::RunData run = analysis::loadRun(files[1]);
  QCOMPARE(run.interimEvals, int64_t{3});
  QVERIFY(!run.trainLoss.empty());
  H5::H5File file(files[1], H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(file, "/gradients/step"), (std::vector<int64_t>{4, 8}));
}

// on_step stops at step 3 while step 4 is launched: its row is written too, the checkpoint
// holds the weights after step 4, and the resumed run ends as an uninterrupted one.
void TestLossRead::late_stopWritesTheLaunchedStepAndResumesBitForBit() {
  const TrainResult whole = runTraining(config("whole", "now"));
  TrainConfig c = config("stopped", "late");
  TrainCallbacks cb;
  cb.on_step = [](const StepMetrics& m) { return m.step < 3; };
  cb.checkpoint_on_stop = true;
  const TrainResult stopped = runTraining(c, cb);
  QCOMPARE(stopped.outcome, RunState::Stopped);
  QCOMPARE(analysis::loadRun(stopped.run_file).trainSteps, int64_t{4});
  const TrainResult resumed = runTraining(c, {}, ResumePolicy::Required);
  QCOMPARE(resumed.outcome, RunState::Finished);
  compareRunFiles(whole.run_file, resumed.run_file);
}

void TestLossRead::late_nanStepFailsWithTheSameMessage() {
  std::vector<TrainResult> results;
  for (const std::string read : {"now", "late"}) {
    TrainConfig c = config(QString::fromStdString("nan-" + read), read);
    c.learning_rate = 1e30;
    c.max_grad_norm = 0;
    results.push_back(runTraining(c));
    QCOMPARE(results.back().outcome, RunState::Failed);
  }
  QVERIFY2(results[0].message.find("loss became NaN/Inf at step ") == 0, results[0].message.c_str());
  QCOMPARE(results[1].message, results[0].message);
  QCOMPARE(results[1].steps, results[0].steps);
  QCOMPARE(analysis::loadRun(results[1].run_file).trainSteps, results[0].steps);
}

void TestLossRead::config_refusesAnotherValueNamingTheKey() {
  try {
    trainConfigFromJson({{"loss_read", "soon"}}, "run.json", {});
    QFAIL("loss_read soon was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("loss_read must be auto, now or late") != std::string::npos, e.what());
  }
}

void TestLossRead::cuda_lateDefaultMatchesReadingNow() {
  if (!torch::cuda::is_available()) QSKIP("no CUDA device: the late copy to pinned memory runs on CUDA only");
  std::vector<std::string> files;
  for (const std::string read : {"now", "auto"}) {
    TrainConfig c = config(QString::fromStdString("cuda-" + read), read);
    c.device = "cuda";
    c.precision = "fp32";
    c.eval_every = 3;
    const TrainResult r = runTraining(c);
    QCOMPARE(r.outcome, RunState::Finished);
    files.push_back(r.run_file);
  }
  const analysis::RunData now = analysis::loadRun(files[0]), late = analysis::loadRun(files[1]);
  QCOMPARE(late.trainSteps, now.trainSteps);
  for (size_t i = 0; i < now.trainLoss.size(); ++i) QVERIFY(std::abs(late.trainLoss[i] - now.trainLoss[i]) < 1e-4f);
}

QTEST_GUILESS_MAIN(TestLossRead)
#include "test_loss_read.moc"
