// End to end on a tiny model and the demo task (seconds): the run file's documented
// layout, reproducibility, same sample across methods, clean stop, NaN handling, the
// gradient recorder (and that it leaves training untouched), and model save/reload.
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "analysis/gradient_conflict.h"
#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"
#include "analysis/temperature_scaling.h"
#include "tests/support/test_paths.h"
#include "training/checkpoints/demo_checkpoint.h"
#include "training/text/demo_task.h"
#include "training/tokenizers/wordpiece_tokenizer.h"
#include "training/models/exit_model_factory.h"
#include "training/runs/gradient_recorder.h"
#include "training/runs/run_examples.h"
#include "training/runs/trainer.h"
#include "tests/support/tiny_models.h"

using namespace sweet;

class TestTrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void schedule_warmupThenLinearDecay();
  void run_writesDocumentedLayout();
  void run_isReproducibleAndRecorderDoesNotDisturbIt();
  void run_sameSeedSameSampleAcrossMethods();
  void run_smallTrainingSet_trainsOnAllRowsAndCrossFits();
  void run_rteRealTrainFile_trainsOn2490Rows();
  void run_exitsStopBeforeLastLayer_numLayersIsTheBackbones();
  void run_stopKeepsFinishedSteps();
  void run_microBatchesGiveTheWholeBatchUpdate();
  void run_nanLossStopsWithMessage();
  void run_unwritableOutputIsReported();
  void run_anyErrorMarksTheFileFailedWithItsMessage();
  void run_stoppedRunKeepsItsModel();
  void gradients_sweetLaterExitsUndefinedAndRecomputable();
  void recorder_identicalMatricesGiveOne();
  void recorder_float16RawMatricesHalveTheStorage();
  void recorder_onDemandRecordsOnceAndClearsTheRequest();
  void recorder_trainBatchProbeKeepsTrainingAndSecondProbeIsStored();
  void recorder_trainBatchProbeKeepsTrainingOnCuda();
  void model_savedFolderReloadsToSameLogits();

 private:
  TrainConfig config(const QString& name) const;
  QTemporaryDir dir_;
  std::string checkpoint_;
};

void TestTrainer::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck",
                                            {/*layers*/ 4, /*hidden*/ 16, /*heads*/ 2, /*vocab*/ 160, /*maxPositions*/ 48});
}

TrainConfig TestTrainer::config(const QString& name) const {
  TrainConfig c;
  c.task = "demo";
  c.model = checkpoint_;
  c.demo_train_size = 200;
  c.demo_eval_size = 100;
  c.train_cap = 160;        // 40 rows left beyond the cap: the held-out calibration split
  c.calibration_size = 40;
  c.batch_size = 16;
  c.epochs = 1;
  c.max_length = 40;
  c.learning_rate = 1e-3;
  c.exit_layers = {1, 2, 4};
  c.threads = 1;
  c.output_dir = dir_.filePath(name).toStdString();
  c.save_model = false;
  return c;
}

void TestTrainer::run_microBatchesGiveTheWholeBatchUpdate() {
  // Without dropout a batch run in parts of 5, 5, 5 and 1 rows must train exactly like the
  // whole batch: same per-step losses, same final logits, up to float rounding.
  const std::string cfg = dir_.filePath("nodrop.json").toStdString();
  std::ofstream(cfg) << R"({"vocab_size": 160, "hidden_size": 16, "num_hidden_layers": 4, "num_attention_heads": 2,
                           "intermediate_size": 32, "max_position_embeddings": 48, "hidden_dropout_prob": 0.0,
                           "attention_probs_dropout_prob": 0.0})";
  const std::string ck = ensureDemoCheckpoint(cfg, dir_.filePath("nodrop-ck").toStdString());
  std::vector<std::vector<float>> losses[2];
  std::vector<float> logits[2];
  for (int i = 0; i < 2; ++i) {
    TrainConfig c = config(i == 0 ? "whole" : "parts");
    c.model = ck;
    c.method = "sweet";
    c.micro_batch_size = i == 0 ? 0 : 5;
    TrainCallbacks cb;
    cb.on_step = [&](const StepMetrics& m) {
      losses[i].push_back(m.exit_losses);
      return true;
    };
    TrainResult r = runTraining(c, cb);
    QCOMPARE(r.outcome, RunState::Finished);
    logits[i] = analysis::loadRun(r.run_file).eval.logits;
  }
  QCOMPARE(losses[1].size(), losses[0].size());
  for (size_t step = 0; step < losses[0].size(); ++step)
    for (size_t e = 0; e < losses[0][step].size(); ++e)
      QVERIFY2(std::abs(losses[0][step][e] - losses[1][step][e]) < 1e-4f, qPrintable(QString("step %1 exit %2").arg(step).arg(e)));
  QCOMPARE(logits[1].size(), logits[0].size());
  float worst = 0.f;
  for (size_t k = 0; k < logits[0].size(); ++k) worst = std::max(worst, std::abs(logits[0][k] - logits[1][k]));
  QVERIFY2(worst < 1e-3f, qPrintable(QString::number(worst)));
}

void TestTrainer::schedule_warmupThenLinearDecay() {
  QCOMPARE(learningRateAt(0, 100, 10, 1.0), 0.1);
  QCOMPARE(learningRateAt(9, 100, 10, 1.0), 1.0);
  QCOMPARE(learningRateAt(10, 100, 10, 1.0), 1.0);
  QCOMPARE(learningRateAt(55, 100, 10, 1.0), 0.5);
  QCOMPARE(learningRateAt(0, 100, 0, 2.0), 2.0);
  QCOMPARE(learningRateAt(75, 100, 0, 2.0), 0.5);
}

void TestTrainer::run_writesDocumentedLayout() {
  TrainConfig c = config("layout");
  c.gradients.every = 5;
  int steps = 0;
  TrainCallbacks cb;
  cb.on_step = [&](const StepMetrics& m) {
    ++steps;
    return m.exit_losses.size() == 3;
  };
  TrainResult r = runTraining(c, cb);
  QCOMPARE(r.outcome, RunState::Finished);
  QCOMPARE(r.steps, 10);  // 160 training rows (the cap; 40 more held out) / 16
  QCOMPARE(steps, 10);
  analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.method, std::string("ee"));
  QCOMPARE(run.task, std::string("demo"));
  QCOMPARE(run.exitLayers, (std::vector<int64_t>{1, 2, 4}));
  QCOMPARE(run.numLayers, 4);
  QVERIFY(run.evalDone);
  QCOMPARE(run.status.state, RunState::Finished);
  QCOMPARE(run.eval.instances, 100);
  QCOMPARE(run.eval.classes, 2);
  QVERIFY(run.calibration.has_value());
  QCOMPARE(run.calibration->instances, 40);
  QCOMPARE(run.calibrationScheme, std::string("held_out"));
  QVERIFY(run.evalFold.empty());
  QCOMPARE(run.modelIdentity["name"].get<std::string>(), std::string("ck"));
  QCOMPARE(run.trainCount, int64_t(160));
  {
    // Training and calibration rows never overlap.
    H5::H5File g(r.run_file, H5F_ACC_RDONLY);
    auto trainRows = h5::readInt64(g, "train/indices"), calRows = h5::readInt64(g, "calibration/indices");
    std::sort(trainRows.begin(), trainRows.end());
    for (int64_t row : calRows) QVERIFY(!std::binary_search(trainRows.begin(), trainRows.end(), row));
  }
  QCOMPARE(run.trainSteps, 10);
  for (float v : run.eval.logits) QVERIFY(std::isfinite(v));
  QCOMPARE(run.config["learning_rate"].get<double>(), 1e-3);
  QVERIFY(run.environment.contains("libtorch_version"));
  H5::H5File f(r.run_file, H5F_ACC_RDONLY);
  QCOMPARE(h5::datasetShape(f, "train/indices"), (h5::Shape{160}));
  QCOMPARE(h5::datasetShape(f, "gradients/cosine"), (h5::Shape{2, 2, 3, 3}));  // steps 5, 10; layers 1, 2
  QCOMPARE(h5::datasetShape(f, "gradients/raw"), (h5::Shape{2, 2, 3, 16, 32}));
  QCOMPARE(h5::readInt64(f, "gradients/step"), (std::vector<int64_t>{5, 10}));
  QCOMPARE(r.exit_scores.size(), size_t{3});
  // The eval instances' rows and text, as the demo task reads them (one segment).
  const RunExamples examples = loadRunExamples(c, /*with_train=*/false, [](const std::string&) {});
  QVERIFY(run.evalTexts.present);
  QCOMPARE(run.evalTexts.textA.size(), size_t{100});
  QVERIFY(!run.evalTexts.paired());
  QVERIFY(!h5::exists(f, "eval/text/b"));
  for (size_t i = 0; i < 100; ++i) {
    QCOMPARE(run.evalTexts.indices[i], static_cast<int64_t>(i));
    QCOMPARE(run.evalTexts.lines[i], examples.eval[i].line);
    QCOMPARE(run.evalTexts.textA[i], examples.eval[i].text_a);
  }
}

void TestTrainer::run_isReproducibleAndRecorderDoesNotDisturbIt() {
  TrainConfig a = config("repro-a"), b = config("repro-b");
  b.gradients.every = 3;
  b.threads = 2;  // thread count must not change CPU results either
  auto ra = runTraining(a), rb = runTraining(b);
  auto la = analysis::loadRun(ra.run_file).trainLoss, lb = analysis::loadRun(rb.run_file).trainLoss;
  QCOMPARE(la.size(), size_t{30});
  QCOMPARE(la, lb);
}

void TestTrainer::run_sameSeedSameSampleAcrossMethods() {
  TrainConfig ee = config("sample-ee"), mm = config("sample-mm"), other = config("sample-seed");
  mm.method = "mm";
  ee.max_steps = mm.max_steps = other.max_steps = 1;
  other.seed = 7;
  auto indices = [](const TrainResult& r) {
    H5::H5File f(r.run_file, H5F_ACC_RDONLY);
    return h5::readInt64(f, "train/indices");
  };
  auto a = indices(runTraining(ee)), b = indices(runTraining(mm)), c = indices(runTraining(other));
  QCOMPARE(a, b);
  QVERIFY(a != c);
}

// Below the cap nothing is cut from the training file: all 200 rows are trained on, and the
// eval set is split in two stratified folds for cross-fitted temperatures instead.
void TestTrainer::run_smallTrainingSet_trainsOnAllRowsAndCrossFits() {
  TrainConfig c = config("small");
  c.train_cap = 6000;
  c.max_steps = 1;
  TrainResult r = runTraining(c);
  analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.trainCount, int64_t(200));
  QVERIFY(!run.calibration.has_value() || run.calibration->empty());
  QCOMPARE(run.calibrationScheme, std::string("cross_fit"));
  QCOMPARE(run.evalFold, analysis::crossFitFolds(run.eval.labels, static_cast<uint64_t>(c.seed)));
  QCOMPARE(analysis::calibrate(run).scheme, analysis::CalibrationScheme::CrossFit);
}

// The paper trains RTE on its whole training file (2,490 rows, under the 6,000 cap).
void TestTrainer::run_rteRealTrainFile_trainsOn2490Rows() {
  const QString rte = sweet::test::sharedData("glue/RTE/train.tsv");
  SWEET_REQUIRE_SHARED(rte);
  TrainConfig c = config("rte");
  c.task = "rte";
  c.data_dir = QFileInfo(rte).absolutePath().toStdString();
  c.train_cap = 6000;
  c.calibration_size = 500;
  c.max_steps = 1;
  c.max_length = 24;
  c.eval_max_examples = 20;
  TrainResult r = runTraining(c);
  QCOMPARE(r.outcome, RunState::Finished);
  H5::H5File f(r.run_file, H5F_ACC_RDONLY);
  std::vector<int64_t> rows = h5::readInt64(f, "train/indices");
  QCOMPARE(rows.size(), size_t(2490));
  std::sort(rows.begin(), rows.end());
  QCOMPARE(rows.front(), int64_t(0));
  QCOMPARE(rows.back(), int64_t(2489));
  QVERIFY(std::adjacent_find(rows.begin(), rows.end()) == rows.end());
  QCOMPARE(h5::datasetShape(f, "calibration/indices"), (h5::Shape{0}));
  const analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.calibrationScheme, std::string("cross_fit"));
  // A pair task keeps both segments; instance 0 is dev.tsv's first data row, read here
  // straight from the TSV (index, sentence1, sentence2, label) on line 2.
  QVERIFY(run.evalTexts.paired());
  QCOMPARE(run.evalTexts.textB.size(), size_t{20});
  std::ifstream dev(QFileInfo(rte).absoluteDir().filePath("dev.tsv").toStdString());
  std::string header, line;
  std::getline(dev, header);
  std::getline(dev, line);
  const QStringList fields = QString::fromStdString(line).split('\t');
  QCOMPARE(run.evalTexts.lines[0], int64_t{2});
  QCOMPARE(QString::fromStdString(run.evalTexts.textA[0]), fields[1]);
  QCOMPARE(QString::fromStdString(run.evalTexts.textB[0]), fields[2]);
}

void TestTrainer::run_exitsStopBeforeLastLayer_numLayersIsTheBackbones() {
  TrainConfig c = config("short-exits");
  c.exit_layers = {1, 2};  // of a 4-layer checkpoint
  c.max_steps = 1;
  analysis::RunData run = analysis::loadRun(runTraining(c).run_file);
  QCOMPARE(run.exitLayers, (std::vector<int64_t>{1, 2}));
  QCOMPARE(run.numLayers, int64_t(4));
}

void TestTrainer::run_stopKeepsFinishedSteps() {
  TrainConfig c = config("stop");
  TrainCallbacks cb;
  cb.on_step = [](const StepMetrics& m) { return m.step < 3; };
  TrainResult r = runTraining(c, cb);
  QCOMPARE(r.outcome, RunState::Stopped);
  analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.status.state, RunState::Stopped);
  QCOMPARE(run.trainSteps, 3);
  QVERIFY(!run.evalDone);
}

void TestTrainer::run_nanLossStopsWithMessage() {
  TrainConfig c = config("nan");
  c.learning_rate = 1e30;
  c.max_grad_norm = 0;
  TrainResult r = runTraining(c);
  QCOMPARE(r.outcome, RunState::Failed);
  QVERIFY2(QString::fromStdString(r.message).contains("NaN/Inf"), r.message.c_str());
  analysis::RunData run = analysis::loadRun(r.run_file);  // the steps before it are kept
  QCOMPARE(run.status.state, RunState::Failed);
  QCOMPARE(run.trainSteps, r.steps);
}

void TestTrainer::run_unwritableOutputIsReported() {
  TrainConfig c = config("x");
  c.output_dir = dir_.filePath("ck-config.json/runs").toStdString();  // below a regular file
  try {
    runTraining(c);
    QFAIL("training into an impossible folder started");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("ck-config.json/runs"), e.what());
  }
}

void TestTrainer::run_anyErrorMarksTheFileFailedWithItsMessage() {
  TrainConfig c = config("error");
  TrainCallbacks cb;
  cb.on_step = [](const StepMetrics& m) -> bool {
    if (m.step == 2) throw std::runtime_error("the disk went away");
    return true;
  };
  try {
    runTraining(c, cb);
    QFAIL("the error was swallowed");
  } catch (const std::runtime_error& e) {
    QCOMPARE(QString(e.what()), QStringLiteral("the disk went away"));
  }
  const std::string file = c.output_dir + "/" + c.resolvedRunName() + ".h5";
  analysis::RunData run = analysis::loadRun(file);
  QCOMPARE(run.status.state, RunState::Failed);
  QCOMPARE(run.status.message, std::string("the disk went away"));
  QCOMPARE(run.trainSteps, 2);
  QVERIFY(!run.status.flaggedOpen);  // closed, so every HDF5 tool opens it
  QVERIFY(run.status.heartbeat > 0);
}

void TestTrainer::run_stoppedRunKeepsItsModel() {
  TrainConfig c = config("stop-save");
  c.save_model = true;
  TrainCallbacks cb;
  cb.on_step = [](const StepMetrics& m) { return m.step < 2; };
  TrainResult r = runTraining(c, cb);
  QCOMPARE(r.outcome, RunState::Stopped);
  QVERIFY(!r.model_dir.empty());
  QVERIFY(QFileInfo::exists(QString::fromStdString(r.model_dir + "/model.safetensors")));
  QVERIFY(!QFileInfo::exists(QString::fromStdString(r.model_dir + ".partial")));
  analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.status.state, RunState::Stopped);
  QVERIFY2(QString::fromStdString(run.status.message).contains("model saved to"), run.status.message.c_str());
  QVERIFY2(QString::fromStdString(r.message).contains("stopped at step 2 of"), r.message.c_str());
}

void TestTrainer::gradients_sweetLaterExitsUndefinedAndRecomputable() {
  TrainConfig c = config("grad-sweet");
  c.method = "sweet";
  c.gradients.every = 10;
  TrainResult r = runTraining(c);
  H5::H5File f(r.run_file, H5F_ACC_RDONLY);
  h5::Shape rawShape;
  auto raw = h5::readFloat32(f, "gradients/raw", &rawShape);
  auto cos = h5::readFloat32(f, "gradients/cosine");
  auto norms = h5::readFloat32(f, "gradients/norm");
  const int64_t G = 2, E = 3, cell = 16 * 32;
  // Layer 1 (g = 0): only exit 0 reaches it under SWEET.
  QVERIFY(norms[0] > 0.f);
  QCOMPARE(norms[1], 0.f);
  QCOMPARE(norms[2], 0.f);
  QVERIFY(std::isnan(cos[0 * E * E + 0 * E + 1]));
  QCOMPARE(cos[0], 1.f);
  // Every stored cosine equals the row-averaged cosine recomputed from the raw matrices.
  auto matrix = [&](int64_t g, int64_t e) {
    return torch::from_blob(raw.data() + (g * E + e) * cell, {16, 32}, torch::kFloat).clone();
  };
  for (int64_t g = 0; g < G; ++g)
    for (int64_t a = 0; a < E; ++a)
      for (int64_t b = 0; b < E; ++b) {
        const float stored = cos[static_cast<size_t>((g * E + a) * E + b)];
        const float again = GradientRecorder::rowAveragedCosine(matrix(g, a), matrix(g, b));
        if (std::isnan(stored)) {
          QVERIFY(std::isnan(again));
        } else {
          QVERIFY2(std::abs(stored - again) < 1e-5f, qPrintable(QString("g%1 %2-%3").arg(g).arg(a).arg(b)));
        }
      }
}

void TestTrainer::recorder_float16RawMatricesHalveTheStorage() {
  TrainConfig c = config("grad-f16");
  c.gradients.every = 10;
  c.gradients.dtype = "float16";
  TrainResult r = runTraining(c);
  H5::H5File f(r.run_file, H5F_ACC_RDONLY);
  H5::DataSet raw = f.openDataSet("gradients/raw");
  QCOMPARE(raw.getDataType().getSize(), size_t{2});
  auto values = h5::readFloat32(f, "gradients/raw");  // HDF5 widens to float32 on read
  auto norms = h5::readFloat32(f, "gradients/norm");
  double sumSq = 0;
  for (int64_t i = 0; i < 16 * 32; ++i) sumSq += double(values[static_cast<size_t>(i)]) * values[static_cast<size_t>(i)];
  QVERIFY(norms[0] > 0.f);
  QVERIFY(std::abs(std::sqrt(sumSq) - norms[0]) < 1e-2 * norms[0]);  // half precision of the same matrix
}

void TestTrainer::recorder_identicalMatricesGiveOne() {
  torch::manual_seed(0);
  auto a = torch::randn({5, 7});
  QCOMPARE(GradientRecorder::rowAveragedCosine(a, a), 1.f);
  QCOMPARE(GradientRecorder::rowAveragedCosine(a, -a), -1.f);
  QVERIFY(std::isnan(GradientRecorder::rowAveragedCosine(a, torch::zeros({5, 7}))));
  // Rows orthogonal by construction: cosine 0.
  auto x = torch::tensor({{1.f, 0.f}, {0.f, 2.f}}), y = torch::tensor({{0.f, 3.f}, {1.f, 0.f}});
  QCOMPARE(GradientRecorder::rowAveragedCosine(x, y), 0.f);
}

void TestTrainer::recorder_onDemandRecordsOnceAndClearsTheRequest() {
  TrainConfig c = config("on-demand");
  c.gradients.every = 1000;  // never due by cadence in 10 steps
  std::atomic<bool> now{false};
  TrainCallbacks cb;
  cb.record_gradients_now = &now;
  cb.on_step = [&](const StepMetrics& m) {
    if (m.step == 4) now = true;  // asked during step 4: taken after step 5
    return true;
  };
  std::vector<int64_t> delivered;
  cb.on_gradients = [&](const GradientSummary& g) { delivered.push_back(g.step); };
  TrainResult r = runTraining(c, cb);
  H5::H5File f(r.run_file, H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(f, "gradients/step"), (std::vector<int64_t>{5}));
  QCOMPARE(delivered, (std::vector<int64_t>{5}));
  QVERIFY(!now.load());
}

// Fig. 3 on fresh training batches (dropout on) and Fig. 9 on a second probe batch: the
// run's losses stay bit-identical to a run without the recorder (the generator is restored).
void TestTrainer::recorder_trainBatchProbeKeepsTrainingAndSecondProbeIsStored() {
  TrainConfig a = config("tb-a"), b = config("tb-b");
  b.gradients.every = 4;
  b.gradients.probe = "train_batch";
  b.gradients.second_probe_size = 8;
  const TrainResult ra = runTraining(a), rb = runTraining(b);
  QCOMPARE(analysis::loadRun(ra.run_file).trainLoss, analysis::loadRun(rb.run_file).trainLoss);
  H5::H5File f(rb.run_file, H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(f, "gradients/step"), (std::vector<int64_t>{4, 8}));
  QCOMPARE(h5::datasetShape(f, "gradients/probe2/cosine"), (h5::Shape{2, 2, 3, 3}));
  QCOMPARE(h5::readStringAttr(f.openGroup("/gradients"), "dropout"), std::string("on"));
  QCOMPARE(h5::readStringAttr(f.openGroup("/gradients"), "probe"), std::string("train_batch"));
  const analysis::GradientRecords first = analysis::loadGradients(rb.run_file);
  const analysis::GradientRecords second = analysis::loadGradients(rb.run_file, 2);
  QCOMPARE(second.records(), int64_t(2));
  QCOMPARE(second.probeSize, int64_t(8));
  QVERIFY(!second.hasRaw);
  QVERIFY(first.cosine != second.cosine);
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, analysis::loadGradients(ra.run_file, 2));
}

// The same promise on a GPU: dropout there draws from CUDA's generator, which the probe
// must restore as well (restoring only the CPU's changed every later mask).
void TestTrainer::recorder_trainBatchProbeKeepsTrainingOnCuda() {
  if (!torch::cuda::is_available()) QSKIP("no CUDA device on this machine: the CUDA generator's restore is checked where one exists");
  TrainConfig a = config("tb-cuda-a"), b = config("tb-cuda-b");
  a.device = b.device = "cuda";
  b.gradients.every = 2;
  b.gradients.probe = "train_batch";
  const TrainResult ra = runTraining(a), rb = runTraining(b);
  QCOMPARE(analysis::loadRun(ra.run_file).trainLoss, analysis::loadRun(rb.run_file).trainLoss);
}

void TestTrainer::model_savedFolderReloadsToSameLogits() {
  for (const char* method : {"sweet", "mm"}) {
    TrainConfig c = config(QString("save-%1").arg(method));
    c.method = method;
    c.save_model = true;
    c.max_steps = 2;
    TrainResult r = runTraining(c);
    QVERIFY(!r.model_dir.empty());
    auto model = loadExitClassifier(r.model_dir);
    QCOMPARE(model->method(), std::string(method));
    QCOMPARE(model->exitLayers(), (std::vector<int64_t>{1, 2, 4}));
    // The reloaded model reproduces the run file's eval logits for the first instances.
    analysis::RunData run = analysis::loadRun(r.run_file);
    QVERIFY(run.evalDone);
    model->eval();
    WordPieceTokenizer tokenizer(r.model_dir + "/vocab.txt", true);
    const auto examples = generateDemoExamples(100, kDemoEvalSeed);
    std::vector<Encoding> enc;
    for (int i = 0; i < 4; ++i) enc.push_back(tokenizer.encode(examples[static_cast<size_t>(i)].example.text_a, std::nullopt, 40));
    TokenBatch b = tokenizer.pad(enc);
    auto t = [&](std::vector<int64_t>& v) { return torch::from_blob(v.data(), {b.batch, b.length}, torch::kLong).clone(); };
    torch::NoGradGuard no_grad;
    auto logits = model->forwardExits({t(b.input_ids), t(b.attention_mask), t(b.token_type_ids)});
    for (int64_t e = 0; e < 3; ++e)
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t k = 0; k < 2; ++k)
          QVERIFY(std::abs(logits[static_cast<size_t>(e)][i][k].item<float>() - run.eval.row(e, i)[k]) < 1e-4f);
  }
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
