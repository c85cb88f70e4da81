// Issue 25's remedies for gradient conflict between exits, beside the partial cut
// (test_exit_models): PCGrad's projection against a two-parameter toy computed by hand,
// one PCGrad step against per-exit gradients taken separately, the weighted exit loss,
// their configuration checks, and a tiny PCGrad run end to end, reproducible bit for bit
// and recording its gradients before and after surgery.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <set>

#include "analysis/gradient_conflict.h"
#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"
#include "tests/support/tiny_models.h"
#include "tests/support/tiny_trainer_config.h"
#include "training/runs/data_split.h"
#include "training/runs/exit_loss_weights.h"
#include "training/runs/gradient_surgery.h"
#include "training/runs/run_inputs.h"
#include "training/runs/train_step.h"
#include "training/runs/trainer.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_model.h"

using namespace sweet;

class TestConflictRemedies : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void surgery_twoParameterToyMatchesTheHandComputation();
  void surgery_orderDecidesWhichConflictIsRemovedFirst();
  void surgery_decidesOnTheDeviceBitForBitAsTheHostBranch();
  void step_pcgradSumsEachExitsProjectedGradient();
  void step_weightedLossGivesTheWeightedSumOfExitGradients();
  void weights_layerIsProportionalToTheExitsLayerSummingToE();
  void config_refusesBadWeightsAndCombinations();
  void run_pcgradIsReproducibleAndRecordsProjectedGradients();
  void resume_pcgradContinuesBitForBitWithItsProjectedRecords();

 private:
  TrainConfig config(const QString& name) const;
  // Each exit's gradient of every parameter, one backward pass per exit (eval mode: no
  // dropout), as an independent reference for the step.
  std::vector<std::map<std::string, torch::Tensor>> exitGradients(const TrainConfig& c, const TrainingBatch& batch,
                                                                  RunInputs& in) const;
  QTemporaryDir dir_;
  std::string checkpoint_;
};

void TestConflictRemedies::initTestCase() {
  checkpoint_ = testing::tinyDemoCheckpoint(dir_.path().toStdString(), "ck", {3, 16, 2, 160, 48});
}

TrainConfig TestConflictRemedies::config(const QString& name) const {
  TrainConfig c = testing::tinyTrainerConfig(checkpoint_, dir_.filePath(name).toStdString());
  c.max_grad_norm = 0;  // the gradients as the step made them, unclipped
  return c;
}

std::vector<std::map<std::string, torch::Tensor>> TestConflictRemedies::exitGradients(const TrainConfig& c,
                                                                                       const TrainingBatch& batch,
                                                                                       RunInputs& in) const {
  std::vector<std::map<std::string, torch::Tensor>> out;
  for (size_t e = 0; e < c.exit_layers.size(); ++e) {
    auto t = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCPU);
    t->model->eval();
    auto logits = t->model->forwardExits(batch.input);
    torch::nn::functional::cross_entropy(logits[e], batch.labels).backward();
    std::map<std::string, torch::Tensor> grads;
    for (const auto& p : t->model->named_parameters())
      if (p.value().grad().defined()) grads[p.key()] = p.value().grad().clone();
    out.push_back(grads);
  }
  return out;
}

// g1 = (1, 0) and g2 = (-1, 1) conflict (dot -1): g1' = g1 - (-1/2) g2 = (0.5, 0.5),
// g2' = g2 - (-1/1) g1 = (0, 1); summed (0.5, 1.5). Every number is exact in binary.
void TestConflictRemedies::surgery_twoParameterToyMatchesTheHandComputation() {
  const std::vector<torch::Tensor> grads{torch::tensor({1.f, 0.f}), torch::tensor({-1.f, 1.f})};
  for (const std::vector<int64_t>& order : {std::vector<int64_t>{0, 1}, std::vector<int64_t>{1, 0}}) {
    const auto p = projectConflicts(grads, order);
    QVERIFY(torch::equal(p[0], torch::tensor({0.5f, 0.5f})));
    QVERIFY(torch::equal(p[1], torch::tensor({0.f, 1.f})));
    QVERIFY(torch::equal(p[0] + p[1], torch::tensor({0.5f, 1.5f})));
  }
  // No conflict (dot >= 0): both unchanged. An exit that does not reach the parameter
  // (undefined) is skipped, and a lone gradient (an exit's own head) is left as it is.
  const auto agree = projectConflicts({torch::tensor({1.f, 0.f}), torch::tensor({1.f, 1.f})}, {0, 1});
  QVERIFY(torch::equal(agree[0], torch::tensor({1.f, 0.f})) && torch::equal(agree[1], torch::tensor({1.f, 1.f})));
  const auto lone = projectConflicts({torch::tensor({2.f, -3.f}), torch::Tensor()}, {1, 0});
  QVERIFY(torch::equal(lone[0], torch::tensor({2.f, -3.f})));
  QVERIFY(!lone[1].defined());
}

// Three exits, g0 = (1, 0), g1 = (-1, 1), g2 = (0, -1). Projecting g0 off g1 first gives
// (0.5, 0.5), which then conflicts with g2 (dot -0.5): (0.5, 0). Off g2 first: no conflict
// (dot 0), then off g1: (0.5, 0.5).
void TestConflictRemedies::surgery_orderDecidesWhichConflictIsRemovedFirst() {
  const std::vector<torch::Tensor> grads{torch::tensor({1.f, 0.f}), torch::tensor({-1.f, 1.f}), torch::tensor({0.f, -1.f})};
  QVERIFY(torch::equal(projectConflicts(grads, {0, 1, 2})[0], torch::tensor({0.5f, 0.f})));
  QVERIFY(torch::equal(projectConflicts(grads, {2, 1, 0})[0], torch::tensor({0.5f, 0.5f})));
  // The order is drawn from the seeded CPU generator: the same seed, the same orders.
  torch::manual_seed(7);
  const auto a = projectionOrder(4);
  torch::manual_seed(7);
  QCOMPARE(projectionOrder(4), a);
  QCOMPARE(std::set<int64_t>(a.begin(), a.end()), (std::set<int64_t>{0, 1, 2, 3}));
}

// Bit for bit: signed zeros told apart, NaN equal to itself.
bool sameBits(const torch::Tensor& a, const torch::Tensor& b) { return torch::equal(a.view(torch::kInt), b.view(torch::kInt)); }

// The projection as it was written first: the branch on a host read of each dot product.
std::vector<torch::Tensor> projectOnTheHost(const std::vector<torch::Tensor>& grads, const std::vector<int64_t>& order) {
  std::vector<torch::Tensor> out(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    torch::Tensor g = grads[i].clone();
    for (int64_t j : order) {
      const torch::Tensor& other = grads[static_cast<size_t>(j)];
      if (static_cast<size_t>(j) == i || !other.defined()) continue;
      const double dot = (g * other).sum().item<double>();
      if (dot < 0) g = g - (dot / (other * other).sum().item<double>()) * other;
    }
    out[i] = g;
  }
  return out;
}

// PCGrad's branch is taken on the device: traced on one set of gradients, the projection
// is a fixed graph of tensor ops that projects another set correctly (a host read would
// bake the first set's decisions and coefficients into the trace as constants; a CUDA
// graph would replay them the same way). Its fp32 results are bit for bit those of the
// host branch: random gradients (some pairs conflict, some not, a signed zero), and a g_j
// whose squared norm underflows to 0 (conflicting: the division's -Inf, as the branch
// gave; all zeros: left alone).
void TestConflictRemedies::surgery_decidesOnTheDeviceBitForBitAsTheHostBranch() {
  const auto project = [](torch::jit::Stack in) {
    std::vector<torch::Tensor> grads;
    for (const auto& v : in) grads.push_back(v.toTensor());
    torch::jit::Stack out;
    for (const auto& g : projectConflicts(grads, {2, 0, 1})) out.emplace_back(g);
    return out;
  };
  const torch::jit::Stack traceOn{torch::tensor({1.f, 0.f}), torch::tensor({-1.f, 1.f}), torch::tensor({1.f, 1.f})};
  torch::jit::GraphExecutor traced(
      torch::jit::tracer::trace(traceOn, project, [](const torch::autograd::Variable&) { return std::string(); },
                                /*strict=*/false).first->graph,
      "projectConflicts");
  torch::jit::Stack other{torch::tensor({1.f, 2.f}), torch::tensor({3.f, 1.f}), torch::tensor({-1.f, -1.f})};
  const torch::jit::Stack expected = project(other);
  traced.run(other);
  for (size_t e = 0; e < expected.size(); ++e) QVERIFY(torch::equal(other[e].toTensor(), expected[e].toTensor()));
  torch::manual_seed(3);
  int conflicts = 0;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<torch::Tensor> grads;
    for (int e = 0; e < 4; ++e) grads.push_back(torch::randn({7, 3}) * torch::rand({}) * 1e-3);
    grads[1][0][0] = -0.f;
    const std::vector<int64_t> order = projectionOrder(4);
    const auto device = projectConflicts(grads, order), host = projectOnTheHost(grads, order);
    for (size_t e = 0; e < grads.size(); ++e) {
      QVERIFY(sameBits(device[e], host[e]));
      conflicts += !torch::equal(device[e], grads[e]);
    }
  }
  QVERIFY2(conflicts > 10, "too few conflicting pairs to see the projection");
  const std::vector<torch::Tensor> tiny{torch::tensor({-1e10f, 1.f}), torch::tensor({1e-30f, 0.f}), torch::zeros({2})};
  const auto device = projectConflicts(tiny, {0, 1, 2}), host = projectOnTheHost(tiny, {0, 1, 2});
  QVERIFY(std::isinf(device[0][0].item<float>()));
  QVERIFY(std::isnan(device[0][1].item<float>()));  // -Inf * 0
  for (size_t e = 0; e < tiny.size(); ++e) QVERIFY(sameBits(device[e], host[e]));
}

// One PCGrad step's gradient of every parameter must be the sum of the exits' gradients,
// each projected off the other where they conflict (two exits: the order does not matter),
// computed here from two separate backward passes with the formula written out.
void TestConflictRemedies::step_pcgradSumsEachExitsProjectedGradient() {
  TrainConfig c = config("pcgrad-step");
  c.method = "pcgrad";
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCPU);
  const auto perExit = exitGradients(c, batch, in);
  auto t = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCPU);
  t->model->eval();
  QVERIFY(trainStep(*t, batch, c, 0, 1e-3, false).finite);
  int conflicts = 0, ownHeads = 0;
  for (const auto& p : t->model->named_parameters()) {
    const std::string& name = p.key();
    const bool in0 = perExit[0].count(name), in1 = perExit[1].count(name);
    if (!in0 && !in1) continue;
    torch::Tensor expected;
    if (in0 && in1) {
      const torch::Tensor g0 = perExit[0].at(name).to(torch::kDouble), g1 = perExit[1].at(name).to(torch::kDouble);
      const double dot = (g0 * g1).sum().item<double>();
      conflicts += dot < 0;
      const double c0 = dot < 0 ? dot / (g1 * g1).sum().item<double>() : 0, c1 = dot < 0 ? dot / (g0 * g0).sum().item<double>() : 0;
      expected = (g0 - c0 * g1) + (g1 - c1 * g0);
    } else {
      ++ownHeads;
      expected = (in0 ? perExit[0] : perExit[1]).at(name).to(torch::kDouble);
      QVERIFY2(torch::equal(p.value().grad(), (in0 ? perExit[0] : perExit[1]).at(name)), name.c_str());
    }
    QVERIFY2(torch::allclose(p.value().grad().to(torch::kDouble), expected, 1e-4, 1e-7), name.c_str());
  }
  QVERIFY2(conflicts > 0, "no parameter had conflicting exit gradients: the test would not see the projection");
  QVERIFY(ownHeads > 0);
}

void TestConflictRemedies::step_weightedLossGivesTheWeightedSumOfExitGradients() {
  TrainConfig c = config("weights-step");
  c.exit_loss_weights = {0.25, 2.0};
  RunInputs in = openRunInputs(c);
  const DataSplits d = prepareDataSplits(c, *in.tokenizer, [](const std::string&) {});
  const TrainingBatch batch = makeBatch(*in.tokenizer, d.train, identityOrder(16), 0, 16, false, torch::kCPU);
  const auto perExit = exitGradients(c, batch, in);
  auto t = buildTrainingModel(c, in.checkpoint, in.exit_layers, 2, torch::kCPU);
  t->model->eval();
  const StepLosses weighted = trainStep(*t, batch, c, 0, 1e-3, false);
  for (const auto& p : t->model->named_parameters()) {
    if (!p.value().grad().defined()) {  // a parameter no exit reaches (the backbone's unused pooler)
      QVERIFY2(!perExit[0].count(p.key()) && !perExit[1].count(p.key()), p.key().c_str());
      continue;
    }
    torch::Tensor expected = torch::zeros_like(p.value());
    if (perExit[0].count(p.key())) expected = expected + 0.25 * perExit[0].at(p.key());
    if (perExit[1].count(p.key())) expected = expected + 2.0 * perExit[1].at(p.key());
    QVERIFY2(torch::allclose(p.value().grad(), expected, 1e-5, 1e-8), p.key().c_str());
  }
  // The losses the step reports (and the run file stores) are each exit's own, unweighted.
  TrainConfig u = config("weights-uniform");
  auto plain = buildTrainingModel(u, in.checkpoint, in.exit_layers, 2, torch::kCPU);
  plain->model->eval();
  QCOMPARE(trainStep(*plain, batch, u, 0, 1e-3, false).exit, weighted.exit);
  QVERIFY(!plain->exit_loss_weights.defined());  // uniform multiplies nothing
}

void TestConflictRemedies::weights_layerIsProportionalToTheExitsLayerSummingToE() {
  QCOMPARE(exitLossWeights("layer", {1, 4, 6, 12}), (std::vector<double>{4.0 / 23, 16.0 / 23, 24.0 / 23, 48.0 / 23}));
  QCOMPARE(exitLossWeights("layer", {1, 3}), (std::vector<double>{0.5, 1.5}));
  QVERIFY(exitLossWeights("uniform", {1, 3}).empty());
  QCOMPARE(exitLossWeights(nlohmann::json::array({0, 3}), {1, 3}), (std::vector<double>{0, 3}));
}

void TestConflictRemedies::config_refusesBadWeightsAndCombinations() {
  auto message = [](const nlohmann::json& j) -> std::string {
    try {
      trainConfigFromJson(j, "cfg.json");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  const nlohmann::json base = {{"exit_layers", {1, 4, 6, 12}}};
  auto with = [&](const char* key, const nlohmann::json& value) {
    nlohmann::json j = base;
    j[key] = value;
    return j;
  };
  QCOMPARE(message(with("exit_loss_weights", "layer")), std::string());
  QCOMPARE(message(with("exit_loss_weights", {1, 1, 2, 0})), std::string());
  const std::vector<std::pair<nlohmann::json, std::string>> bad = {
      {with("exit_loss_weights", {1, 2, 3}), "lists 3 weights for 4 exits"},
      {with("exit_loss_weights", {1, -1, 1, 1}), "finite, non-negative"},
      {with("exit_loss_weights", {0, 0, 0, 0}), "at least one exit a weight above 0"},
      {with("exit_loss_weights", "depth"), "\"uniform\", \"layer\" or a list"},
      {with("exit_loss_weights", {1, "a", 1, 1}), "finite, non-negative"},
  };
  for (const auto& [j, expected] : bad) {
    const std::string m = message(j);
    QVERIFY2(m.rfind("cfg.json: exit_loss_weights ", 0) == 0 && m.find(expected) != std::string::npos, m.c_str());
  }
  nlohmann::json mm = with("exit_loss_weights", "layer");
  mm["method"] = "mm";
  QVERIFY2(message(mm).find("must stay uniform for method mm") != std::string::npos, message(mm).c_str());
  nlohmann::json lte = with("method", "pcgrad");
  lte["lte"] = {{"enabled", true}};
  QVERIFY2(message(lte).find("pcgrad cannot train learning-to-exit heads") != std::string::npos, message(lte).c_str());
  nlohmann::json alpha = with("method", "pcgrad");
  alpha["sweet_alpha"] = 0.5;
  QVERIFY2(message(alpha).find("sweet_alpha applies to method ee") != std::string::npos, message(alpha).c_str());
  QCOMPARE(message(with("method", "pcgrad")), std::string());
}

void TestConflictRemedies::run_pcgradIsReproducibleAndRecordsProjectedGradients() {
  std::vector<analysis::RunData> runs;
  for (const QString& name : {QStringLiteral("pc-a"), QStringLiteral("pc-b")}) {
    TrainConfig c = config(name);
    c.method = "pcgrad";
    c.exit_layers = {1, 2, 3};
    c.max_grad_norm = 1.0;
    c.exit_loss_weights = "layer";
    c.gradients.every = 1;
    const TrainResult r = runTraining(c, {});
    QCOMPARE(r.outcome, RunState::Finished);
    runs.push_back(analysis::loadRun(r.run_file));
  }
  QCOMPARE(runs[0].method, std::string("pcgrad"));
  QVERIFY(runs[0].hasProjected);
  QCOMPARE(runs[0].trainLoss.size(), size_t{5 * 3});  // 5 steps, 3 exits
  QCOMPARE(runs[0].trainLoss, runs[1].trainLoss);  // bit for bit, the projection orders included
  QCOMPARE(runs[0].eval.logits, runs[1].eval.logits);
  const analysis::GradientRecords raw = analysis::loadGradients(runs[0].path, 1);
  const analysis::GradientRecords projected = analysis::loadGradients(runs[0].path, 3);
  QCOMPARE(projected.steps, raw.steps);
  QCOMPARE(projected.cosine.size(), raw.cosine.size());
  // Per record and layer: where two exits' whole gradients conflict (negative cosine of the
  // flattened raw matrices) the projected cosines differ from the raw ones; where none do,
  // the surgery leaves them exactly as they were.
  const int64_t E = raw.exits(), G = raw.layerCount();
  int conflicting = 0;
  for (int64_t r = 0; r < raw.records(); ++r)
    for (int64_t g = 0; g < G; ++g) {
      const analysis::RawMeasures m = analysis::rawMeasures(runs[0].path, r, g);
      bool conflict = false, changed = false;
      for (int64_t a = 0; a < E; ++a)
        for (int64_t b = 0; b < E; ++b) {
          conflict = conflict || m.flattenedCosine.at(a, b).value_or(0) < 0;
          const size_t i = static_cast<size_t>(((r * G + g) * E + a) * E + b);
          changed = changed || (!std::isnan(raw.cosine[i]) && raw.cosine[i] != projected.cosine[i]);
        }
      QVERIFY2(conflict == changed, qPrintable(QString("record %1 layer %2").arg(r).arg(g)));
      conflicting += conflict;
    }
  QVERIFY2(conflicting > 0, "no recorded matrix had conflicting exits: the test would not see the projection");
  // Layer 1 precedes exits 2 and 3: all three exits reach it, so its cells are defined.
  QVERIFY(!std::isnan(analysis::similarityAt(projected, 0, 0).at(0, 1).value_or(NAN)));
  // A run of another method has no projected records, and says so when asked for them.
  TrainConfig ee = config("ee-no-projected");
  ee.exit_layers = {1, 2, 3};
  ee.gradients.every = 2;
  const TrainResult r = runTraining(ee, {});
  QVERIFY(!analysis::loadRun(r.run_file).hasProjected);
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, analysis::loadGradients(r.run_file, 3));
}

// A PCGrad run stopped after 2 steps and resumed ends as the uninterrupted run does: the
// projection orders come from the restored generator, and the resumed file keeps the
// projected records taken before the stop.
void TestConflictRemedies::resume_pcgradContinuesBitForBitWithItsProjectedRecords() {
  auto pcgrad = [this](const QString& name) {
    TrainConfig c = config(name);
    c.method = "pcgrad";
    c.exit_layers = {1, 2, 3};
    c.gradients.every = 1;
    return c;
  };
  const TrainResult whole = runTraining(pcgrad("whole"), {});
  TrainConfig c = pcgrad("stopped");
  TrainCallbacks cb;
  cb.on_step = [](const StepMetrics& m) { return m.step < 2; };
  cb.checkpoint_on_stop = true;
  QCOMPARE(runTraining(c, cb).outcome, RunState::Stopped);
  const TrainResult resumed = runTraining(c, {}, ResumePolicy::Required);
  QCOMPARE(resumed.outcome, RunState::Finished);
  const analysis::RunData a = analysis::loadRun(whole.run_file), b = analysis::loadRun(resumed.run_file);
  QCOMPARE(b.trainLoss, a.trainLoss);
  QCOMPARE(b.eval.logits, a.eval.logits);
  const auto pa = analysis::loadGradients(whole.run_file, 3), pb = analysis::loadGradients(resumed.run_file, 3);
  QCOMPARE(pb.steps, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  QCOMPARE(pb.steps, pa.steps);
  for (size_t i = 0; i < pa.cosine.size(); ++i)
    QVERIFY2((std::isnan(pa.cosine[i]) && std::isnan(pb.cosine[i])) || pa.cosine[i] == pb.cosine[i], qPrintable(QString::number(i)));
}

QTEST_GUILESS_MAIN(TestConflictRemedies)
#include "test_conflict_remedies.moc"
