// CUDA graphs (config key cuda_graphs, `sweet infer --cuda-graphs`): the refusals a
// config meets wherever it is checked (a CPU device, fp16, pcgrad, alternating LTE
// schedules, a build without graphs), the device-scalar AdamW the graphs replay against
// FusedAdamW on the CPU, and, where a CUDA device and a build with graphs exist, the
// graphed step's losses against the eager step's and batch-1 graphed inference's exits
// against the eager ones (they skip, saying so, elsewhere).
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "tests/support/tiny_models.h"
#include "training/inference/adaptive_inference.h"
#include "training/models/early_exit_model.h"
#include "training/runs/cuda_graph_step.h"
#include "training/runs/cuda_graph_support.h"
#include "training/runs/data_split.h"
#include "training/runs/device_scalar_adamw.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/run_inputs.h"
#include "training/runs/train_config.h"
#include "training/runs/train_step.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_model.h"

using namespace sweet;

class TestCudaGraphs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void config_defaultOffAndRefusedWhereAReplayCannotFollow();
  void config_refusedInABuildWithoutGraphs();
  void deviceScalarAdamW_matchesFusedAdamWAndKeepsItsCounts();
  void inference_refusedOnTheCpu();
  void graphedStep_lossesMatchTheEagerStep();
  void graphedInference_batchOneExitsEqualTheEagerOnes();

 private:
  QTemporaryDir dir_;
};

namespace {

// The message trainConfigFromJson throws for `j`, or "" when it accepts it.
std::string refusal(const nlohmann::json& j) {
  try {
    trainConfigFromJson(j, "run.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool cudaGraphsRunHere() { return cudaGraphsBuiltIn() && torch::cuda::is_available(); }

}  // namespace

void TestCudaGraphs::config_defaultOffAndRefusedWhereAReplayCannotFollow() {
  QVERIFY(!trainConfigFromJson(nlohmann::json::object(), "run.json").cuda_graphs);
  QCOMPARE(refusal({{"cuda_graphs", false}}), std::string());
  const nlohmann::json cuda{{"cuda_graphs", true}, {"device", "cuda"}};
  std::string m = refusal({{"cuda_graphs", true}});
  QVERIFY2(contains(m, "run.json: cuda_graphs needs a CUDA device (device is cpu)"), m.c_str());
  nlohmann::json fp16 = cuda;
  fp16["precision"] = "fp16";
  m = refusal(fp16);
  QVERIFY2(contains(m, "cuda_graphs cannot capture precision fp16: dynamic loss scaling reads the overflow flag"), m.c_str());
  nlohmann::json pcgrad = cuda;
  pcgrad["method"] = "pcgrad";
  m = refusal(pcgrad);
  QVERIFY2(contains(m, "cuda_graphs cannot capture method pcgrad"), m.c_str());
  nlohmann::json alternating = cuda;
  alternating["lte"] = {{"enabled", true}, {"schedule", "bertxit"}};
  m = refusal(alternating);
  QVERIFY2(contains(m, "cuda_graphs cannot capture lte.schedule bertxit"), m.c_str());
  // --set names itself as the source.
  nlohmann::json overridden = nlohmann::json::object();
  applyOverride(overridden, "cuda_graphs=true");
  try {
    trainConfigFromJson(overridden, "run.json", {"cuda_graphs=true"});
    QFAIL("cuda_graphs on the CPU was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(contains(e.what(), "--set cuda_graphs: cuda_graphs needs a CUDA device"), e.what());
  }
}

void TestCudaGraphs::config_refusedInABuildWithoutGraphs() {
  const std::string m = refusal({{"cuda_graphs", true}, {"device", "cuda"}, {"lte", {{"enabled", true}}}});
  if (cudaGraphsBuiltIn()) {
    QCOMPARE(m, std::string());  // joint LTE on CUDA: nothing a replay cannot follow
    return;
  }
  QVERIFY2(contains(m, "run.json: cuda_graphs is not available: this sweet was built without CUDA graph support "
                       "(libtorch without CUDA"),
           m.c_str());
}

// Two decay groups, one parameter trained every other step (its own update count, so its
// own bias correction: a group of its own in the device update), learning rates that
// change every step. The two formulas round differently: a stated tolerance of 1e-6.
void TestCudaGraphs::deviceScalarAdamW_matchesFusedAdamWAndKeepsItsCounts() {
  torch::manual_seed(5);
  auto make = [] {
    return std::vector<torch::Tensor>{torch::randn({30, 20}), torch::randn({20}), torch::randn({7})};
  };
  const std::vector<torch::Tensor> init = make();
  auto params = [&] {
    std::vector<torch::Tensor> out;
    for (const auto& t : init) out.push_back(t.clone().set_requires_grad(true));
    return out;
  };
  std::vector<torch::Tensor> a = params(), b = params();
  const AdamWHyper hyper{1e-2, 0.9, 0.999, 1e-8, 0.01};
  FusedAdamW reference({{{a[0], a[1]}, 0.01}, {{a[2]}, 0.0}}, hyper);
  FusedAdamW host({{{b[0], b[1]}, 0.01}, {{b[2]}, 0.0}}, hyper);
  DeviceScalarAdamW device(host);
  for (int step = 0; step < 6; ++step) {
    reference.zeroGrad();
    host.zeroGrad();
    for (size_t i = 0; i < 3; ++i) {
      if (i == 1 && step % 2 == 1) continue;  // b[1] trains on even steps only
      const torch::Tensor g = torch::randn(init[i].sizes());
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    const double lr = 1e-2 * (1.0 - 0.1 * step);
    reference.setLearningRate(lr);
    reference.step();
    device.setLearningRate(lr);
    const std::vector<size_t> updated = device.step();
    QCOMPARE(updated.size(), size_t(step % 2 == 1 ? 2 : 3));
  }
  for (size_t i = 0; i < 3; ++i) {
    const float diff = (a[i] - b[i]).abs().max().item<float>();
    QVERIFY2(diff < 1e-6f, ("parameter " + std::to_string(i) + " differs by " + std::to_string(diff)).c_str());
    QVERIFY((b[i] - init[i]).abs().min().item<float>() > 0.f);  // it moved
  }
  // The host's counts followed, so a checkpoint holds what FusedAdamW's own steps would.
  QCOMPARE(host.steps(), reference.steps());
  const std::vector<torch::Tensor> mine = host.momentTensors(), theirs = reference.momentTensors();
  for (size_t i = 2; i < mine.size(); i += 3) QCOMPARE(mine[i].item<int64_t>(), theirs[i].item<int64_t>());
}

void TestCudaGraphs::inference_refusedOnTheCpu() {
  EarlyExitModel model(testing::tinyBertConfig({}), {1, 2}, 2, "ee", false);
  model.eval();
  AdaptiveInference engine(model);
  try {
    engine.enableCudaGraphs(false);
    QFAIL("CUDA graphs enabled for a model on the CPU");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    // A build with graphs refuses the device; one without refuses first for the build.
    QVERIFY2(contains(m, cudaGraphsBuiltIn() ? "--cuda-graphs needs the model on a CUDA device (it is on cpu)"
                                              : "built without CUDA graph support"),
             m.c_str());
  }
  try {
    checkInferenceCudaGraphs("cpu", false);
    QFAIL("--cuda-graphs accepted --device cpu");
  } catch (const std::runtime_error& e) {
    QVERIFY2(contains(e.what(), "--cuda-graphs needs a CUDA device (--device is cpu)"), e.what());
  }
  try {
    checkInferenceCudaGraphs("cuda", true);
    QFAIL("--cuda-graphs accepted --rebatch");
  } catch (const std::runtime_error& e) {
    QVERIFY2(contains(e.what(), "--cuda-graphs serves batch 1 and --rebatch"), e.what());
  }
}

// Two models of one seed, one stepped eagerly (trainStep, FusedAdamW), one through the
// graphs: warm-up steps, the capture and replays of one batch shape, dropout off. The
// updates differ only in rounding (DeviceScalarAdamW), so the losses agree to 1e-4.
void TestCudaGraphs::graphedStep_lossesMatchTheEagerStep() {
  if (!cudaGraphsRunHere())
    QSKIP(cudaGraphsBuiltIn() ? "no CUDA device" : "no CUDA device (and a build without CUDA graphs)");
  testing::TinyBertShape shape{3, 32, 2, 160, 48};
  shape.dropout = false;
  TrainConfig c;
  c.task = "demo";
  c.model = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", shape);
  c.demo_train_size = 120;
  c.demo_eval_size = 50;
  c.train_cap = 80;
  c.calibration_size = 30;
  c.max_length = 40;
  c.exit_layers = {1, 3};
  c.learning_rate = 1e-3;
  c.device = "cuda";
  c.precision = "fp32";
  c.cuda_graphs = true;
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  auto eager = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCUDA);
  auto graphed = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCUDA);
  GraphedTrainStep graphs(*graphed, c, false, false);
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCUDA,
                                        BatchPadding{40, 40});
  const int steps = kStepGraphWarmup + 5;
  for (int step = 0; step < steps; ++step) {
    const double lr = 1e-3 * (1.0 - 0.05 * step);
    const StepLosses a = trainStep(*eager, batch, c, step, lr, false);
    const StepLosses b = graphs.run(batch, step, lr).read();
    for (size_t e = 0; e < a.exit.size(); ++e)
      QVERIFY2(std::abs(a.exit[e] - b.exit[e]) <= 1e-4f * std::max(1.f, std::abs(a.exit[e])),
               ("step " + std::to_string(step + 1) + " exit " + std::to_string(e) + ": eager " +
                std::to_string(a.exit[e]) + ", graphed " + std::to_string(b.exit[e]))
                   .c_str());
  }
  QCOMPARE(graphs.graphs(), size_t(1));
  QCOMPARE(graphed->optimizer->steps(), int64_t{steps});
}

void TestCudaGraphs::graphedInference_batchOneExitsEqualTheEagerOnes() {
  if (!cudaGraphsRunHere())
    QSKIP(cudaGraphsBuiltIn() ? "no CUDA device" : "no CUDA device (and a build without CUDA graphs)");
  torch::manual_seed(11);
  testing::TinyBertShape shape{3, 32, 2, 160, 48};
  shape.dropout = false;
  EarlyExitModel model(testing::tinyBertConfig(shape), {1, 2, 3}, 3, "ee", false);
  model.to(torch::kCUDA);
  model.eval();
  AdaptiveInference plain(model), graphed(model);
  graphed.enableCudaGraphs(false);
  const ExitTemperatures none;
  for (int64_t length : {5, 9, 5, 17, 9}) {  // lengths seen again replay their graphs
    const ModelInput one{torch::randint(1, 160, {1, length}, torch::kLong).to(torch::kCUDA),
                         torch::ones({1, length}, torch::kLong).to(torch::kCUDA),
                         torch::zeros({1, length}, torch::kLong).to(torch::kCUDA)};
    for (double threshold : {0.34, 0.5, 1.0}) {
      const InstanceExit a = plain.run(one, {0}, threshold, none).front();
      const InstanceExit b = graphed.run(one, {0}, threshold, none).front();
      QCOMPARE(b.exit, a.exit);
      QCOMPARE(b.prediction, a.prediction);
      QCOMPARE(b.confidence, a.confidence);
    }
    const InstanceExit a = plain.runWithoutExiting(one, {0}, none).front();
    const InstanceExit b = graphed.runWithoutExiting(one, {0}, none).front();
    QCOMPARE(b.confidence, a.confidence);
  }
}

QTEST_GUILESS_MAIN(TestCudaGraphs)
#include "test_cuda_graphs.moc"
