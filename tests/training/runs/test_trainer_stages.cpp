// The trainer's stages, each alone (training/runs/): the data split, the step schedule,
// the resume state's capture and restore, one training step, and the decision what
// `--continue` and a sweep do with a run's files. End-to-end runs are in test_trainer.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "tests/support/tiny_trainer_config.h"
#include "training/runs/data_split.h"
#include "training/runs/resume_state.h"
#include "training/runs/run_files_status.h"
#include "training/runs/run_inputs.h"
#include "training/runs/step_schedule.h"
#include "training/runs/train_step.h"
#include "training/runs/trainer.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_model.h"

using namespace sweet;

class TestTrainerStages : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void split_capsTrainingRowsAndHoldsOutCalibrationRowsBeyondTheCap();
  void split_withoutRowsBeyondTheCapCrossFitsOnTheEvalSet();
  void split_epochOrderIsAPermutationFixedBySeedAndEpoch();
  void schedule_countsStepsPerEpochAndCapsAtMaxSteps();
  void inputs_refuseExitsBeyondTheCheckpointsDepth();
  void resume_restoreUndoesEveryChangeToWeightsAndMoments();
  void resume_refusesACheckpointOfAnotherModel();
  void step_updatesWeightsAndReportsEachExitsLoss();
  void step_nonFiniteLossLeavesTheWeightsAsTheyWere();
  void status_missingRunIsPendingAndStarts();
  void status_decidesContinueFromTheSameState();
  void status_finishedRunIsDoneAndLeftAlone();

 private:
  TrainConfig config(const QString& name) const;
  std::unique_ptr<TrainingModel> model(const TrainConfig& c, RunInputs& in) const;
  QTemporaryDir dir_;
  std::string checkpoint_;
};

void TestTrainerStages::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", {3, 16, 2, 160, 48});
}

TrainConfig TestTrainerStages::config(const QString& name) const {
  return testing::tinyTrainerConfig(checkpoint_, dir_.filePath(name).toStdString());
}

std::unique_ptr<TrainingModel> TestTrainerStages::model(const TrainConfig& c, RunInputs& in) const {
  return buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCPU);
}

void TestTrainerStages::split_capsTrainingRowsAndHoldsOutCalibrationRowsBeyondTheCap() {
  const TrainConfig c = config("split");
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  QCOMPARE(d.train.size(), size_t{80});
  QCOMPARE(d.calibration.size(), size_t{30});
  QCOMPARE(d.eval.size(), size_t{50});
  QCOMPARE(d.calibration_scheme, std::string("held_out"));
  std::set<int64_t> train(d.train.source_rows.begin(), d.train.source_rows.end());
  for (int64_t row : d.calibration.source_rows) QVERIFY2(!train.count(row), "a calibration row is also trained on");
  // The seed alone draws the sample: another method of the same seed trains on the same rows.
  TrainConfig other = c;
  other.method = "mm";
  QCOMPARE(prepareDataSplits(other, *in.tokenizer, [](const std::string&) {}).train.source_rows, d.train.source_rows);
  other.seed = c.seed + 1;
  QVERIFY(prepareDataSplits(other, *in.tokenizer, [](const std::string&) {}).train.source_rows != d.train.source_rows);
}

void TestTrainerStages::split_withoutRowsBeyondTheCapCrossFitsOnTheEvalSet() {
  TrainConfig c = config("crossfit");
  c.train_cap = 100;  // 20 rows left, fewer than calibration_size
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  QCOMPARE(d.calibration.size(), size_t{0});
  QCOMPARE(d.calibration_scheme, std::string("cross_fit"));
  QCOMPARE(d.eval_fold.size(), d.eval.size());
}

void TestTrainerStages::split_epochOrderIsAPermutationFixedBySeedAndEpoch() {
  const std::vector<int64_t> order = epochOrder(50, 7, 2);
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  QCOMPARE(sorted, identityOrder(50));
  QCOMPARE(epochOrder(50, 7, 2), order);
  QVERIFY(epochOrder(50, 7, 3) != order);
  QVERIFY(epochOrder(50, 8, 2) != order);
}

void TestTrainerStages::schedule_countsStepsPerEpochAndCapsAtMaxSteps() {
  TrainConfig c = config("schedule");
  c.epochs = 3;
  c.warmup_ratio = 0.1;
  StepSchedule s = makeStepSchedule(c, 81);  // 81 rows in batches of 16: 6 steps, the last of 1 row
  QCOMPARE(s.steps_per_epoch, int64_t{6});
  QCOMPARE(s.total_steps, int64_t{18});
  QCOMPARE(s.warmup_steps, int64_t{2});  // round(1.8)
  QCOMPARE(s.learningRate(0), 0.5e-3);
  QCOMPARE(s.learningRate(18), 0.0);
  c.max_steps = 10;
  QCOMPARE(makeStepSchedule(c, 81).total_steps, int64_t{10});
}

void TestTrainerStages::inputs_refuseExitsBeyondTheCheckpointsDepth() {
  TrainConfig c = config("inputs");
  c.exit_layers = {1, 4};  // the checkpoint has 3 layers
  try {
    openRunInputs(c);
    QFAIL("exit layer 4 of a 3-layer checkpoint was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("within 1..3") != std::string::npos, e.what());
  }
  c.exit_layers = {};
  QCOMPARE(openRunInputs(c).exit_layers.back(), int64_t{3});  // the defaults end at the top layer
}

void TestTrainerStages::resume_restoreUndoesEveryChangeToWeightsAndMoments() {
  TrainConfig c = config("resume");
  c.lte.enabled = true;
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  auto t = model(c, in);
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCPU);
  trainStep(*t, batch, c, 0, 1e-3, false);  // moments exist from here on
  // Through the file, as a run does: the captured tensors are the live ones, not copies.
  const std::string path = dir_.filePath("resume.pt").toStdString();
  saveTrainingCheckpoint(captureResumeState(c, *t, 1, -1, 1, torch::kCPU), path);
  bool hasLte = false;
  for (const auto& [name, tensor] : namedStateTensors(*t)) hasLte = hasLte || name.rfind("lte.", 0) == 0;
  QVERIFY2(hasLte, "the LTE heads are not part of the resume state");
  std::map<std::string, torch::Tensor> before;
  for (const auto& [name, tensor] : namedStateTensors(*t)) before[name] = tensor.detach().clone();
  const auto momentsBefore = t->optimizer->momentTensors();
  std::vector<torch::Tensor> momentsCopy;
  for (const auto& m : momentsBefore) momentsCopy.push_back(m.clone());
  const torch::Tensor rngBefore = at::detail::getDefaultCPUGenerator().get_state();

  trainStep(*t, batch, c, 1, 1e-3, false);  // moves weights, moments and the dropout generator
  TrainingCheckpoint saved = loadTrainingCheckpoint(path);
  QCOMPARE(saved.step, int64_t{1});
  restoreResumeState(saved, *t, torch::kCPU, path);
  for (const auto& [name, tensor] : namedStateTensors(*t))
    QVERIFY2(torch::equal(tensor, before[name]), name.c_str());
  const auto momentsAfter = t->optimizer->momentTensors();
  QCOMPARE(momentsAfter.size(), momentsCopy.size());
  for (size_t i = 0; i < momentsCopy.size(); ++i) QVERIFY(torch::equal(momentsAfter[i], momentsCopy[i]));
  QVERIFY(torch::equal(at::detail::getDefaultCPUGenerator().get_state(), rngBefore));
  QVERIFY2(saved.model.empty(), "the checkpoint's tensors outlive the restore");
}

void TestTrainerStages::resume_refusesACheckpointOfAnotherModel() {
  TrainConfig c = config("other");
  RunInputs in = openRunInputs(c);
  auto t = model(c, in);
  TrainingCheckpoint saved = captureResumeState(c, *t, 1, -1, 1, torch::kCPU);
  TrainConfig lte = c;
  lte.lte.enabled = true;  // the same model with LTE heads: tensors the checkpoint lacks
  auto withHeads = buildTrainingModel(lte, in.checkpoint, in.exit_layers, 2, torch::kCPU);
  try {
    restoreResumeState(saved, *withHeads, torch::kCPU, "/x/run.resume.pt");
    QFAIL("a checkpoint without the LTE heads was restored into a model with them");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("/x/run.resume.pt: no tensor 'lte.") == 0, e.what());
  }
}

void TestTrainerStages::step_updatesWeightsAndReportsEachExitsLoss() {
  const TrainConfig c = config("step");
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  auto t = model(c, in);
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCPU);
  const torch::Tensor before = t->model->named_parameters()[0].value().detach().clone();
  const StepLosses losses = trainStep(*t, batch, c, 0, 1e-3, false);
  QVERIFY(losses.finite);
  QCOMPARE(losses.exit.size(), size_t{2});
  for (float l : losses.exit) QVERIFY(l > 0.1f && l < 5.f);  // cross-entropy of 2 classes near ln 2 at the start
  QVERIFY(losses.lte.empty());
  QVERIFY(!torch::equal(t->model->named_parameters()[0].value(), before));
  QCOMPARE(t->optimizer->steps(), int64_t{1});
}

void TestTrainerStages::step_nonFiniteLossLeavesTheWeightsAsTheyWere() {
  const TrainConfig c = config("nan");
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  auto t = model(c, in);
  {
    torch::NoGradGuard noGrad;
    for (auto& p : t->model->named_parameters())
      if (p.key().find("classifier") != std::string::npos) p.value().fill_(std::nanf(""));
  }
  std::map<std::string, torch::Tensor> before;
  for (const auto& [name, tensor] : namedStateTensors(*t)) before[name] = tensor.detach().clone();
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCPU);
  const StepLosses losses = trainStep(*t, batch, c, 0, 1e-3, false);
  QVERIFY(!losses.finite);
  QCOMPARE(t->optimizer->steps(), int64_t{0});
  for (const auto& [name, tensor] : namedStateTensors(*t)) QVERIFY2(torch::equal(tensor, before[name]) || tensor.isnan().any().item<bool>(), name.c_str());
}

void TestTrainerStages::status_missingRunIsPendingAndStarts() {
  const TrainConfig c = config("pending");
  const RunFilesStatus s = runFilesStatus(c);
  QCOMPARE(s.state, RunFilesState::Pending);
  QCOMPARE(continueAction(s, c.runFilePath()), ContinueAction::Start);
}

void TestTrainerStages::status_decidesContinueFromTheSameState() {
  // Every state a sweep reports maps to one --continue action; a failed run is retried
  // from its checkpoint when it has one (the last good step), else started over.
  RunFilesStatus s;
  s.state = RunFilesState::Resumable;
  QCOMPARE(continueAction(s, "r.h5"), ContinueAction::Resume);
  s.state = RunFilesState::Unfinished;
  QCOMPARE(continueAction(s, "r.h5"), ContinueAction::StartOver);
  s.state = RunFilesState::Failed;
  s.checkpoint = true;
  QCOMPARE(continueAction(s, "r.h5"), ContinueAction::Resume);
  s.checkpoint = false;
  QCOMPARE(continueAction(s, "r.h5"), ContinueAction::StartOver);
  s.state = RunFilesState::Running;
  s.writer = "pid 42 on node7";
  try {
    continueAction(s, "r.h5");
    QFAIL("--continue would start a second writer on a live run");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("r.h5 is being written by a live process (pid 42 on node7)") == 0, e.what());
  }
}

void TestTrainerStages::status_finishedRunIsDoneAndLeftAlone() {
  TrainConfig c = config("done");
  c.max_steps = 2;
  const TrainResult r = runTraining(c);
  QCOMPARE(r.outcome, RunState::Finished);
  const RunFilesStatus s = runFilesStatus(c);
  QCOMPARE(s.state, RunFilesState::Done);
  QCOMPARE(s.steps_done, int64_t{2});
  QVERIFY(s.config_differences.empty());
  QCOMPARE(continueAction(s, c.runFilePath()), ContinueAction::AlreadyFinished);
  // An unreadable run file (killed while its layout was written) starts over even beside a
  // checkpoint: there is nothing to resume into.
  TrainConfig broken = config("broken");
  std::filesystem::create_directories(broken.output_dir);
  std::ofstream(broken.runFilePath()) << "not hdf5";
  std::ofstream(broken.checkpointPath()) << "x";
  const RunFilesStatus b = runFilesStatus(broken);
  QCOMPARE(b.state, RunFilesState::Unfinished);
  QVERIFY(b.checkpoint);
  QCOMPARE(continueAction(b, broken.runFilePath()), ContinueAction::StartOver);
}

QTEST_GUILESS_MAIN(TestTrainerStages)
#include "test_trainer_stages.moc"
