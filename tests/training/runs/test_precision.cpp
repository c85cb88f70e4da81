// Precision (training/runs/precision.h, autocast_scope.h): the config key and its refusals,
// what auto becomes on the CPU, bf16 autocast on the CPU (libtorch's CPU autocast) against
// fp32 — first-step logits within a stated tolerance, SWEET's gradient routing still exact,
// a run trained end to end with its precision in the run file — and a resume in another
// precision refused. fp16 (loss scaling) runs on CUDA only: its test skips elsewhere.
#include <QTemporaryDir>
#include <QtTest>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <cmath>

#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "training/models/early_exit_model.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/data_split.h"
#include "training/runs/run_inputs.h"
#include "training/runs/train_config.h"
#include "training/runs/train_step.h"
#include "training/runs/trainer.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_model.h"

using namespace sweet;

class TestPrecision : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void config_acceptsTheFivePrecisionsAndRefusesOthersNamingTheKey();
  void config_refusesFp16OnTheCpu();
  void resolve_autoAndTf32AreFp32OnTheCpu();
  void autocastScope_castsMatmulsAndRestoresThePreviousState();
  void bf16_firstStepLogitsWithinToleranceOfFp32();
  void bf16_sweetLaterExitsSendExactlyNoGradientBelowPreviousExit();
  void bf16_runTrainsAndRecordsItsPrecision();
  void run_defaultOnTheCpuRecordsFp32();
  void run_recordsTheAttentionKernelAndPaddingItRuns();
  void resume_refusesAnotherPrecisionNamingBoth();
  void fp16_overflowSkipsTheStepAndHalvesTheScale();

 private:
  TrainConfig config(const QString& name, const std::string& precision) const;
  QTemporaryDir dir_;
  std::string checkpoint_;
};

namespace {

TrainConfig fromJson(const nlohmann::json& j, const std::vector<std::string>& overrides = {}) {
  return trainConfigFromJson(j, "run.json", overrides);
}

QString refusal(const nlohmann::json& j, const std::vector<std::string>& overrides = {}) {
  try {
    fromJson(j, overrides);
  } catch (const std::runtime_error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

// The exit logits of a fresh model built from `c` (same seed: same weights) on `batch`,
// under the config's precision, dropout off. The new heads' small initial weights give
// logits near 0.01; scaled up they are of order 1, as a trained model's, so a relative
// tolerance means something.
std::vector<torch::Tensor> firstLogits(const TrainConfig& c, RunInputs& in, const TrainingBatch& batch) {
  auto t = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCPU);
  t->model->eval();
  torch::NoGradGuard noGrad;
  for (auto& p : t->model->named_parameters())
    if (p.key().find("classifier.weight") != std::string::npos) p.value().mul_(300);
  AutocastScope autocast(t->precision, t->device);
  std::vector<torch::Tensor> logits = t->model->forwardExits(batch.input);
  for (auto& l : logits) l = l.to(torch::kFloat);
  return logits;
}

}  // namespace

void TestPrecision::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", {3, 32, 2, 160, 48});
}

TrainConfig TestPrecision::config(const QString& name, const std::string& precision) const {
  TrainConfig c;
  c.task = "demo";
  c.model = checkpoint_;
  c.demo_train_size = 200;
  c.demo_eval_size = 60;
  c.train_cap = 160;
  c.calibration_size = 40;
  c.batch_size = 16;
  c.epochs = 2;
  c.max_length = 40;
  c.learning_rate = 1e-3;
  c.exit_layers = {1, 3};
  c.threads = 1;
  c.precision = precision;
  c.output_dir = dir_.filePath(name).toStdString();
  c.save_model = false;
  return c;
}

void TestPrecision::config_acceptsTheFivePrecisionsAndRefusesOthersNamingTheKey() {
  QCOMPARE(TrainConfig{}.precision, std::string("auto"));
  for (const char* name : {"auto", "fp32", "tf32", "bf16"})
    QCOMPARE(fromJson({{"precision", name}}).precision, std::string(name));
  QCOMPARE(fromJson({{"precision", "fp16"}, {"device", "cuda"}}).precision, std::string("fp16"));
  const QString bad = refusal({{"precision", "fp64"}});
  QVERIFY2(bad.startsWith("run.json: precision must be fp32, tf32, bf16, fp16 or auto") && bad.contains("'fp64'"),
           qPrintable(bad));
  const QString overridden = refusal({{"precision", "half"}}, {"precision=half"});
  QVERIFY2(overridden.startsWith("--set precision: precision must be"), qPrintable(overridden));
  const QString wrongType = refusal({{"precision", 16}});
  QVERIFY2(wrongType.contains("precision must be a string"), qPrintable(wrongType));
}

void TestPrecision::config_refusesFp16OnTheCpu() {
  const QString message = refusal({{"precision", "fp16"}});
  QVERIFY2(message.startsWith("run.json: precision fp16 runs on CUDA only (device is cpu)") && message.contains("bf16"),
           qPrintable(message));
  try {
    resolvePrecision(Precision::Fp16, torch::kCPU, "--precision");
    QFAIL("fp16 resolved on the CPU");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("--precision fp16 runs on CUDA only") == 0, e.what());
  }
}

void TestPrecision::resolve_autoAndTf32AreFp32OnTheCpu() {
  QCOMPARE(resolvePrecision(Precision::Auto, torch::kCPU), Precision::Fp32);
  QCOMPARE(resolvePrecision(Precision::Tf32, torch::kCPU), Precision::Fp32);
  QCOMPARE(resolvePrecision(Precision::Bf16, torch::kCPU), Precision::Bf16);
  QCOMPARE(resolvePrecision(Precision::Fp32, torch::kCPU), Precision::Fp32);
  for (Precision p : {Precision::Auto, Precision::Fp32, Precision::Tf32, Precision::Bf16, Precision::Fp16})
    QCOMPARE(parsePrecision(precisionName(p)), p);
  QCOMPARE(recordedPrecision(""), Precision::Fp32);  // run files and checkpoints from before the key
}

void TestPrecision::autocastScope_castsMatmulsAndRestoresThePreviousState() {
  const torch::Tensor a = torch::randn({4, 8}), b = torch::randn({8, 3});
  QVERIFY(!at::autocast::is_cpu_enabled());
  {
    AutocastScope fp32(Precision::Fp32, torch::kCPU);
    QCOMPARE(a.matmul(b).scalar_type(), torch::kFloat);
  }
  {
    AutocastScope bf16(Precision::Bf16, torch::kCPU);
    QVERIFY(at::autocast::is_cpu_enabled());
    QCOMPARE(a.matmul(b).scalar_type(), torch::kBFloat16);
    {
      AutocastScope inner(Precision::Bf16, torch::kCPU);  // nested: the outer state survives
    }
    QVERIFY(at::autocast::is_cpu_enabled());
  }
  QVERIFY(!at::autocast::is_cpu_enabled());
  QCOMPARE(at::autocast::get_autocast_cpu_dtype(), torch::kBFloat16);  // libtorch's default, restored
  QCOMPARE(a.matmul(b).scalar_type(), torch::kFloat);
}

// bf16 keeps 8 significant bits: each rounding is off by at most 2^-9 (0.2%) relative.
// The matmul inputs are rounded and the products accumulated in fp32 (on the CPU some ops
// between the matmuls run in bf16 too: libtorch 1.13 keeps fewer in fp32 there than on
// CUDA), and a logit is a sum whose terms partly cancel, so its error is a larger share
// of it than one rounding: measured 2.2% (exit 1) and 1.1% (exit 2) of the largest logit.
// 5% leaves room across libtorch builds; an op in the wrong dtype, a lost mask or an
// overflow moves the logits by their whole size.
void TestPrecision::bf16_firstStepLogitsWithinToleranceOfFp32() {
  constexpr double kRelativeTolerance = 0.05;
  const TrainConfig fp32 = config("logits", "fp32"), bf16 = config("logits", "bf16");
  RunInputs in = openRunInputs(fp32);
  const DataSplits d = prepareDataSplits(fp32, *in.tokenizer, [](const std::string&) {});
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCPU);
  const auto reference = firstLogits(fp32, in, batch), low = firstLogits(bf16, in, batch);
  QCOMPARE(low.size(), reference.size());
  for (size_t e = 0; e < reference.size(); ++e) {
    const double difference = (low[e] - reference[e]).abs().max().item<double>();
    const double scale = reference[e].abs().max().item<double>();
    qInfo("exit %zu: max |bf16 - fp32| = %.2e, %.2f%% of the largest logit (%.2f)", e, difference,
          100 * difference / scale, scale);
    QVERIFY2(scale > 0.5, "logits too small to compare: the classifiers were not scaled up");
    QVERIFY2(difference < kRelativeTolerance * scale, qPrintable(QString::number(difference)));
    QVERIFY2(difference > 0, "bf16 gave fp32's logits bit for bit: autocast did not run");
  }
}

void TestPrecision::bf16_sweetLaterExitsSendExactlyNoGradientBelowPreviousExit() {
  torch::manual_seed(1);
  EarlyExitModel model(testing::tinyBertConfig({4, 8, 2, 30, 16, false}), {1, 2, 4}, 2, "sweet", false);
  torch::manual_seed(3);
  const ModelInput input{torch::randint(4, 30, {3, 6}, torch::kLong), torch::ones({3, 6}, torch::kLong),
                         torch::zeros({3, 6}, torch::kLong)};
  torch::Tensor loss;
  {
    AutocastScope autocast(Precision::Bf16, torch::kCPU);
    const auto logits = model.forwardExits(input);
    QCOMPARE(logits[2].scalar_type(), torch::kBFloat16);  // the classifier ran in bf16
    loss = torch::nn::functional::cross_entropy(logits[2].to(torch::kFloat), torch::tensor({0, 1, 0}, torch::kLong));
  }
  loss.backward();
  // Exit 3 (layer 4): the embeddings, layers 1-2 (at and below exit 2's layer) and the
  // other heads get exactly zero; layers 3-4 get gradient.
  for (const auto& p : model.named_parameters()) {
    const std::string& name = p.key();
    const bool below = name.rfind("bert.embeddings.", 0) == 0 || name.rfind("bert.encoder.layer.0.", 0) == 0 ||
                       name.rfind("bert.encoder.layer.1.", 0) == 0 || name.rfind("exits.0.", 0) == 0 ||
                       name.rfind("exits.1.", 0) == 0;
    const torch::Tensor g = p.value().grad();
    if (below) QVERIFY2(!g.defined() || g.abs().max().item<float>() == 0.f, name.c_str());
    if (g.defined()) QCOMPARE(g.scalar_type(), torch::kFloat);  // fp32 master weights get fp32 gradients
  }
  for (const char* name : {"bert.encoder.layer.2.output.dense.weight", "bert.encoder.layer.3.output.dense.weight"})
    QVERIFY2(model.named_parameters()[name].grad().abs().max().item<float>() > 0.f, name);
}

void TestPrecision::bf16_runTrainsAndRecordsItsPrecision() {
  TrainConfig c = config("bf16", "bf16");
  c.method = "sweet";
  c.lte.enabled = true;  // the LTE heads' scores and losses under autocast too
  std::vector<std::string> messages;
  TrainCallbacks cb;
  cb.on_message = [&](const std::string& m) { messages.push_back(m); };
  const TrainResult r = runTraining(c, cb);
  QCOMPARE(r.outcome, RunState::Finished);
  const analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.environment.value("precision", std::string()), std::string("bf16"));
  QCOMPARE(run.trainSteps, int64_t{20});
  for (float loss : run.trainLoss) QVERIFY(std::isfinite(loss));
  const auto E = static_cast<size_t>(run.exits());
  double first = 0, last = 0;  // the mean over exits of the first and last two steps
  for (size_t i = 0; i < 2 * E; ++i) {
    first += run.trainLoss[i];
    last += run.trainLoss[run.trainLoss.size() - 1 - i];
  }
  QVERIFY2(last < first, qPrintable(QString("first %1, last %2").arg(first).arg(last)));
  QVERIFY(run.evalDone);
  for (float z : run.eval.logits) QVERIFY(std::isfinite(z));
  bool said = false;
  for (const auto& m : messages) said = said || m.find("on cpu in bf16") != std::string::npos;
  QVERIFY2(said, "the run's precision is not shown beside its device");
}

void TestPrecision::run_defaultOnTheCpuRecordsFp32() {
  TrainConfig c = config("default", "auto");
  c.max_steps = 2;
  const TrainResult r = runTraining(c);
  QCOMPARE(r.outcome, RunState::Finished);
  const analysis::RunData run = analysis::loadRun(r.run_file);
  QCOMPARE(run.environment.value("precision", std::string()), std::string("fp32"));
  QCOMPARE(run.config.value("precision", std::string()), std::string("auto"));
}

// Beside precision, the environment says what `auto` became: on the CPU the explicit
// attention and no padding multiple; an explicit multiple is recorded as given, and the
// opening message names both.
void TestPrecision::run_recordsTheAttentionKernelAndPaddingItRuns() {
  for (const int64_t multiple : {int64_t{-1}, int64_t{8}}) {
    TrainConfig c = config(QString("kernels%1").arg(multiple), "auto");
    c.max_steps = 1;
    c.pad_to_multiple_of = multiple;
    std::string opening;
    TrainCallbacks cb;
    cb.on_message = [&](const std::string& m) {
      if (m.rfind("run file ", 0) == 0) opening = m;
    };
    const TrainResult r = runTraining(c, cb);
    QCOMPARE(r.outcome, RunState::Finished);
    const analysis::RunData run = analysis::loadRun(r.run_file);
    QCOMPARE(run.environment.value("attention", std::string()), std::string("explicit"));
    QCOMPARE(run.environment.value("pad_to_multiple_of", int64_t{-2}), multiple == 8 ? int64_t{8} : int64_t{0});
    QVERIFY2(opening.find("in fp32 with explicit attention") != std::string::npos, opening.c_str());
    QCOMPARE(opening.find("padded to multiples of 8") != std::string::npos, multiple == 8);
  }
}

void TestPrecision::resume_refusesAnotherPrecisionNamingBoth() {
  TrainConfig c = config("resume", "bf16");
  TrainCallbacks cb;
  cb.on_step = [](const StepMetrics& m) { return m.step < 3; };
  cb.checkpoint_on_stop = true;
  QCOMPARE(runTraining(c, cb).outcome, RunState::Stopped);
  c.precision = "fp32";
  try {
    runTraining(c, {}, ResumePolicy::Required);
    QFAIL("a bf16 checkpoint resumed in fp32");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    QVERIFY2(m.find("resume.pt: this checkpoint's run trains in bf16, this one would run in fp32 (precision fp32 on "
                    "cpu)") != std::string::npos,
             e.what());
  }
  c.precision = "bf16";  // its own precision continues it
  QCOMPARE(runTraining(c, {}, ResumePolicy::Required).outcome, RunState::Finished);
}

void TestPrecision::fp16_overflowSkipsTheStepAndHalvesTheScale() {
  if (!torch::cuda::is_available()) QSKIP("fp16 with loss scaling runs on CUDA only; this libtorch has no CUDA device");
  TrainConfig c = config("fp16", "fp16");
  c.device = "cuda";
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  auto t = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCUDA);
  QVERIFY(t->scaler);
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCUDA);
  StepLosses losses = trainStep(*t, batch, c, 0, 1e-3, false);
  QVERIFY(losses.finite && !losses.skipped);
  QCOMPARE(t->scaler->currentScale(), LossScaler::kInitialScale);
  QCOMPARE(t->optimizer->steps(), int64_t{1});
  // A scale no fp16 gradient survives: the step is skipped (not a failure), the scale halved.
  t->scaler->restore({torch::full({1}, 3e38, torch::kFloat), torch::zeros({1}, torch::kInt)});
  losses = trainStep(*t, batch, c, 1, 1e-3, false);
  QVERIFY(losses.finite && losses.skipped);
  QCOMPARE(t->optimizer->steps(), int64_t{1});
  QCOMPARE(t->scaler->currentScale(), static_cast<double>(3e38f) * LossScaler::kBackoffFactor);
}

QTEST_GUILESS_MAIN(TestPrecision)
#include "test_precision.moc"
