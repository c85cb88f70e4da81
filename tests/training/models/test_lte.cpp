// Learning-to-exit (BERxiT) heads: their targets by hand, their gradient obeying SWEET's
// routing (exit i's LTE loss reaches no layer below exit i-1), and a demo run whose LTE
// loss falls and whose stored scores rank right predictions above wrong ones.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <array>
#include <numeric>

#include "analysis/hdf5_util.h"
#include "analysis/metrics.h"
#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "training/inference/adaptive_inference.h"
#include "training/models/early_exit_model.h"
#include "training/models/lte_heads.h"
#include "training/runs/trainer.h"
#include "training/runs/training_checkpoint.h"

using namespace sweet;

namespace {

// Whether any parameter of 0-based backbone layer `layer` received a non-zero gradient.
bool layerHasGradient(EarlyExitModel& model, int64_t layer) {
  for (const auto& p : model.backbone->layerModule(layer).parameters())
    if (p.grad().defined() && p.grad().abs().sum().item<double>() > 0) return true;
  return false;
}

}  // namespace

class TestLte : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void target_classificationAndRegression_handValues();
  void gradient_sweetLteLossStaysInItsSegment();
  void demoRun_lteLossFallsAndScoresRankCorrectAboveWrong();
  void schedule_jointMovesAllAlternateTakesTurns();
  void sharedHead_savesAsOneAndServesEveryExitAtInference();

 private:
  QTemporaryDir dir_;
};

void TestLte::target_classificationAndRegression_handValues() {
  auto logits = torch::tensor({{2.0f, 1.0f}, {0.0f, 3.0f}, {5.0f, -1.0f}});  // argmax 0, 1, 0
  auto labels = torch::tensor({0, 0, 0}, torch::kLong);
  QVERIFY(torch::equal(lteTarget(logits, labels, {}, false), torch::tensor({1.0f, 0.0f, 1.0f})));
  // Regression: 1 - tanh(|prediction - target|): errors 0, 1, 2.
  auto predicted = torch::tensor({{3.0f}, {2.0f}, {0.5f}});
  auto targets = torch::tensor({3.0f, 3.0f, 2.5f});
  auto expected = torch::tensor({1.0f, 1.0f - std::tanh(1.0f), 1.0f - std::tanh(2.0f)});
  QVERIFY(torch::allclose(lteTarget(predicted, {}, targets, true), expected));
}

// Exits after layers 1, 2 and 4 of a 4-layer model, the heads reading the [CLS] state or
// (lte.input "pooled") the exit's pooled features. Under SWEET, the LTE loss of the last
// exit may update layers 3 and 4 only (its segment), that of the middle exit layer 2 only;
// under EE the last exit's LTE loss reaches layer 1.
void TestLte::gradient_sweetLteLossStaysInItsSegment() {
  testing::TinyBertShape shape;
  shape.layers = 4;
  shape.hidden = 16;
  shape.dropout = false;
  const BertConfig config = testing::tinyBertConfig(shape);
  ModelInput input{torch::randint(5, 40, {3, 7}, torch::kLong), torch::ones({3, 7}, torch::kLong),
                   torch::zeros({3, 7}, torch::kLong)};
  auto lteLossGradients = [&](const std::string& method, int64_t exit, bool pooled = false) {
    torch::manual_seed(1);
    auto model = std::make_shared<EarlyExitModel>(config, std::vector<int64_t>{1, 2, 4}, 2, method, false);
    model->lte_reads_pooled = pooled;
    LteHeads lte(config.hidden_size, 3);
    std::vector<torch::Tensor> hidden(3);
    model->exit_hidden_observer = [&](int64_t e, const torch::Tensor& h) { hidden[static_cast<size_t>(e)] = h; };
    auto logits = model->forwardExits(input);
    auto target = lteTarget(logits[static_cast<size_t>(exit)], torch::zeros({3}, torch::kLong), {}, false);
    torch::nn::functional::mse_loss(lte->score(exit, hidden[static_cast<size_t>(exit)]), target).backward();
    std::vector<bool> reached;
    for (int64_t l = 0; l < 4; ++l) reached.push_back(layerHasGradient(*model, l));
    // The head itself learns, and the exit's classifier is untouched (its output is detached).
    const auto head = lte->heads->ptr<torch::nn::LinearImpl>(static_cast<size_t>(exit));
    reached.push_back(head->weight.grad().defined() && head->weight.grad().abs().sum().item<double>() > 0);
    const auto classifier = model->exits->ptr<ExitHeadImpl>(static_cast<size_t>(exit))->classifier;
    reached.push_back(classifier->weight.grad().defined() && classifier->weight.grad().abs().sum().item<double>() > 0);
    // The exit's pooler learns from the LTE loss only when the head reads its output.
    const auto pooler = model->exits->ptr<ExitHeadImpl>(static_cast<size_t>(exit))->pooler->dense;
    reached.push_back(pooler->weight.grad().defined() && pooler->weight.grad().abs().sum().item<double>() > 0);
    return reached;
  };
  QCOMPARE(lteLossGradients("sweet", 2), (std::vector<bool>{false, false, true, true, true, false, false}));
  QCOMPARE(lteLossGradients("sweet", 1), (std::vector<bool>{false, true, false, false, true, false, false}));
  QCOMPARE(lteLossGradients("ee", 2), (std::vector<bool>{true, true, true, true, true, false, false}));
  // lte.input "pooled" (the released code's): the same routing, through the exit's pooler.
  QCOMPARE(lteLossGradients("sweet", 2, true), (std::vector<bool>{false, false, true, true, true, false, true}));
  QCOMPARE(lteLossGradients("sweet", 1, true), (std::vector<bool>{false, true, false, false, true, false, true}));
  QCOMPARE(lteLossGradients("ee", 2, true), (std::vector<bool>{true, true, true, true, true, false, true}));
}

void TestLte::demoRun_lteLossFallsAndScoresRankCorrectAboveWrong() {
  const std::string checkpoint = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck",
                                                             {/*layers*/ 4, /*hidden*/ 16, /*heads*/ 2, /*vocab*/ 160,
                                                              /*maxPositions*/ 48});
  TrainConfig c;
  c.task = "demo";
  c.model = checkpoint;
  c.method = "sweet";
  c.demo_train_size = 1200;
  c.demo_eval_size = 400;
  c.train_cap = 1000;
  c.calibration_size = 100;
  c.batch_size = 16;
  c.epochs = 3;
  c.max_length = 40;
  c.learning_rate = 1e-3;
  c.warmup_ratio = 0.1;
  c.exit_layers = {1, 2, 4};
  c.threads = 2;
  c.output_dir = dir_.filePath("runs").toStdString();
  c.save_model = false;
  c.lte.enabled = true;
  const TrainResult result = runTraining(c, {});
  QCOMPARE(result.outcome, RunState::Finished);

  const analysis::RunData run = analysis::loadRun(result.run_file);
  const int64_t E = run.exits(), N = run.eval.instances;
  QCOMPARE(run.lteScores.size(), static_cast<size_t>(E * N));
  QVERIFY(run.calibration.has_value());
  QCOMPARE(run.calibrationLteScores.size(), static_cast<size_t>(E * run.calibration->instances));
  for (float v : run.calibrationLteScores) QVERIFY(v > 0.f && v < 1.f);  // sigmoid outputs, written (not fill)
  H5::H5File file(result.run_file, H5F_ACC_RDONLY);
  h5::Shape shape;
  const std::vector<float> lteLoss = h5::readFloat32(file, "/train/lte_loss", &shape);
  QCOMPARE(shape, (h5::Shape{static_cast<hsize_t>(run.trainSteps), static_cast<hsize_t>(E)}));
  // Mean LTE loss over all exits, first 20 steps against last 20.
  const size_t window = 20 * static_cast<size_t>(E);
  const double early = std::accumulate(lteLoss.begin(), lteLoss.begin() + window, 0.0) / window;
  const double late = std::accumulate(lteLoss.end() - window, lteLoss.end(), 0.0) / window;
  qInfo() << "LTE loss, first 20 steps" << early << "last 20 steps" << late;
  QVERIFY2(late < early, qPrintable(QString("%1 -> %2").arg(early).arg(late)));

  double meanAuroc = 0;
  for (int64_t e = 0; e < E; ++e) {
    std::vector<double> scores;
    std::vector<bool> correct;
    for (int64_t i = 0; i < N; ++i) {
      const float* z = run.eval.row(e, i);
      scores.push_back(run.lteScores[static_cast<size_t>(e * N + i)]);
      correct.push_back((z[1] > z[0] ? 1 : 0) == run.eval.labels[static_cast<size_t>(i)]);
    }
    const double auroc = analysis::auroc(scores, correct);
    const double accuracy = static_cast<double>(std::count(correct.begin(), correct.end(), true)) / static_cast<double>(N);
    qInfo() << "exit" << e << "accuracy" << accuracy << "LTE AUROC" << auroc;
    meanAuroc += auroc / static_cast<double>(E);
  }
  QVERIFY2(meanAuroc > 0.5, qPrintable(QString::number(meanAuroc)));
}

// The schedules, watched through the weights a real training run leaves in its resume
// checkpoint after 1, 2 and 3 steps (stopped from on_step). "exits_then_lte" (and its old
// name "alternate"): step 2 (an odd step) trains only the LTE heads and, through the exits'
// hidden states, the backbone below them, leaving every exit classifier bit for bit as it
// was; step 3 trains the exits and leaves the LTE heads alone (not even weight decay
// touches them). "joint": every step moves all three. "bertxit" (one shared LTE head):
// step 2 trains the last exit alone (backbone and its classifier; exit 1's classifier and
// the LTE head untouched), step 3 everything.
void TestLte::schedule_jointMovesAllAlternateTakesTurns() {
  const std::string checkpoint = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck-schedule",
                                                             {/*layers*/ 2, /*hidden*/ 16, /*heads*/ 2, /*vocab*/ 160,
                                                              /*maxPositions*/ 48});
  auto weightsAfter = [&](const std::string& schedule, int64_t steps) {
    TrainConfig c;
    c.task = "demo";
    c.model = checkpoint;
    c.method = "ee";
    c.demo_train_size = 64;
    c.demo_eval_size = 16;
    c.calibration_size = 8;
    c.batch_size = 8;
    c.epochs = 1;
    c.max_length = 24;
    c.learning_rate = 1e-3;
    c.weight_decay = 0.01;
    c.exit_layers = {1, 2};
    c.threads = 1;
    c.save_model = false;
    c.lte.enabled = true;
    c.lte.schedule = schedule;
    c.output_dir = dir_.filePath(QString::fromStdString("schedule-" + schedule + "-" + std::to_string(steps))).toStdString();
    TrainCallbacks cb;
    cb.checkpoint_on_stop = true;
    cb.on_step = [steps](const StepMetrics& m) { return m.step < steps; };
    const TrainResult result = runTraining(c, cb);
    if (result.outcome != RunState::Stopped) throw std::runtime_error("run did not stop: " + result.message);
    return loadTrainingCheckpoint(c.checkpointPath()).model;
  };
  // Which of (backbone layers, exit classifiers, LTE heads) changed between two snapshots.
  auto moved = [](const std::map<std::string, torch::Tensor>& before, const std::map<std::string, torch::Tensor>& after) {
    std::array<bool, 3> changed{false, false, false};
    for (const auto& [name, tensor] : before) {
      const int part = name.find(".layer.") != std::string::npos ? 0
                       : name.find("classifier") != std::string::npos ? 1
                       : name.rfind("lte.", 0) == 0                  ? 2
                                                                     : -1;
      if (part >= 0 && !torch::equal(tensor, after.at(name))) changed[static_cast<size_t>(part)] = true;
    }
    return changed;
  };
  for (const std::string schedule : {"joint", "exits_then_lte", "alternate", "bertxit"}) {
    const auto one = weightsAfter(schedule, 1), two = weightsAfter(schedule, 2), three = weightsAfter(schedule, 3);
    QVERIFY(one.count("lte.0.weight"));
    QCOMPARE(one.count("lte.1.weight"), size_t(schedule == "bertxit" ? 0 : 1));  // BERxiT shares one head
    const auto second = moved(one, two), third = moved(two, three);
    qInfo() << schedule.c_str() << "step 2 moved (layers, classifiers, LTE)" << second[0] << second[1] << second[2]
            << "step 3" << third[0] << third[1] << third[2];
    if (schedule == "joint") {
      QCOMPARE(second, (std::array<bool, 3>{true, true, true}));
      QCOMPARE(third, (std::array<bool, 3>{true, true, true}));
    } else if (schedule == "bertxit") {
      QCOMPARE(second, (std::array<bool, 3>{true, true, false}));  // the last exit alone
      QCOMPARE(third, (std::array<bool, 3>{true, true, true}));    // every exit and the LTE head
      std::vector<std::string> firstExit;
      for (const auto& [name, tensor] : one)
        if (name.find("classifier") != std::string::npos && name.find("exits.0.") != std::string::npos)
          firstExit.push_back(name);
      QVERIFY(!firstExit.empty());
      for (const std::string& name : firstExit) QVERIFY2(torch::equal(one.at(name), two.at(name)), name.c_str());
    } else {
      QCOMPARE(second, (std::array<bool, 3>{true, false, true}));  // the LTE turn
      QCOMPARE(third, (std::array<bool, 3>{true, true, false}));   // the exits' turn
    }
  }
}

// BERxiT's shared head ("bertxit"): saved as lte.0 alone, read back as shared, and early
// exiting scores every exit with it (sweet infer --rule learned refused such a model:
// "1 LTE heads for 3 exits", found by trying it).
void TestLte::sharedHead_savesAsOneAndServesEveryExitAtInference() {
  testing::TinyBertShape shape;
  shape.layers = 3;
  shape.hidden = 16;
  shape.dropout = false;
  const BertConfig config = testing::tinyBertConfig(shape);
  torch::manual_seed(2);
  EarlyExitModel model(config, {1, 2, 3}, 2, "ee", false);
  model.eval();
  LteHeads shared(config.hidden_size, 3, /*shared=*/true);
  const std::string path = dir_.filePath("shared-lte.safetensors").toStdString();
  saveLteHeads(*shared, path);
  LteHeads loaded = loadLteHeads(path, config.hidden_size, 3);
  QVERIFY(loaded->shared);
  QCOMPARE(loaded->heads->size(), size_t(1));
  AdaptiveInference engine(model, loaded.get());
  ModelInput input{torch::randint(5, 40, {4, 7}, torch::kLong), torch::ones({4, 7}, torch::kLong),
                   torch::zeros({4, 7}, torch::kLong)};
  const auto exits = engine.run(input, {0, 1, 2, 3}, /*threshold=*/1.0, ExitTemperatures{});
  QCOMPARE(exits.size(), size_t(4));
  for (const InstanceExit& e : exits) QVERIFY(e.lte_score > 0 && e.lte_score < 1);
}

QTEST_GUILESS_MAIN(TestLte)
#include "test_lte.moc"
