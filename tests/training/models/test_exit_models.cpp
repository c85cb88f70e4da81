// Gradient routing of the three methods: under SWEET exit i's loss reaches no parameter
// below exit i-1's layer (exactly zero), under EE it does, and MM members share no storage.
#include <QtTest>

#include <torch/torch.h>

#include <set>

#include "training/models/early_exit_model.h"
#include "training/models/multi_model.h"
#include "training/checkpoints/state_dict.h"
#include "tests/support/tiny_models.h"

using namespace sweet;

class TestExitModels : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void defaults_matchPaper();
  void sweet_laterExitsSendNoGradientBelowPreviousExit();
  void ee_laterExitsReachEarlyLayers();
  void sweet_ownSegmentReceivesGradient();
  void partialCut_alphaOneIsEeZeroIsSweetLinearBetween();
  void mm_membersShareNoStorage();
  void mm_eachLossTrainsOnlyItsMember();
};

namespace {
BertConfig tiny() {
  return testing::tinyBertConfig({/*layers*/ 4, /*hidden*/ 8, /*heads*/ 2, /*vocab*/ 30, /*maxPositions*/ 16, /*dropout*/ false});
}
ModelInput input() {
  torch::manual_seed(3);
  return {torch::randint(4, 30, {3, 6}, torch::kLong), torch::ones({3, 6}, torch::kLong), torch::zeros({3, 6}, torch::kLong)};
}
// Gradient of exit `e`'s loss on every named parameter (zeros where unused).
std::map<std::string, torch::Tensor> gradsOfExit(ExitClassifier& model, size_t e) {
  model.zero_grad();
  auto logits = model.forwardExits(input());
  torch::nn::functional::cross_entropy(logits[e], torch::tensor({0, 1, 0}, torch::kLong)).backward();
  std::map<std::string, torch::Tensor> out;
  for (auto& p : model.named_parameters())
    out[p.key()] = p.value().grad().defined() ? p.value().grad().clone() : torch::zeros_like(p.value());
  return out;
}
bool startsWithAny(const std::string& name, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}
}  // namespace

void TestExitModels::defaults_matchPaper() {
  QCOMPARE(defaultExitLayers(12), (std::vector<int64_t>{1, 4, 6, 12}));
  QCOMPARE(defaultExitLayers(24), (std::vector<int64_t>{1, 6, 12, 24}));
  QCOMPARE(defaultExitLayers(1), (std::vector<int64_t>{1}));
}

void TestExitModels::sweet_laterExitsSendNoGradientBelowPreviousExit() {
  torch::manual_seed(1);
  EarlyExitModel model(tiny(), {1, 2, 4}, 2, "sweet", false);
  // Exit 2 (layer 4): everything at or below layer 2 (exit 1's layer), the embeddings and
  // the other heads must get exactly zero.
  auto g = gradsOfExit(model, 2);
  for (const auto& [name, grad] : g) {
    const bool below = startsWithAny(name, {"bert.embeddings.", "bert.encoder.layer.0.", "bert.encoder.layer.1.", "exits.0.", "exits.1."});
    if (below) QVERIFY2(grad.abs().max().item<float>() == 0.f, name.c_str());
  }
  QVERIFY(g.at("bert.encoder.layer.2.output.dense.weight").abs().max().item<float>() > 0.f);
  QVERIFY(g.at("bert.encoder.layer.3.output.dense.weight").abs().max().item<float>() > 0.f);
}

void TestExitModels::ee_laterExitsReachEarlyLayers() {
  torch::manual_seed(1);
  EarlyExitModel model(tiny(), {1, 2, 4}, 2, "ee", false);
  auto g = gradsOfExit(model, 2);
  QVERIFY(g.at("bert.embeddings.word_embeddings.weight").abs().max().item<float>() > 0.f);
  QVERIFY(g.at("bert.encoder.layer.0.output.dense.weight").abs().max().item<float>() > 0.f);
  QVERIFY(g.at("exits.0.classifier.weight").abs().max().item<float>() == 0.f);  // other heads untouched
}

void TestExitModels::sweet_ownSegmentReceivesGradient() {
  torch::manual_seed(1);
  EarlyExitModel model(tiny(), {1, 2, 4}, 2, "sweet", false);
  auto g = gradsOfExit(model, 1);  // exit at layer 2: updates layer 2 only (and its head)
  QVERIFY(g.at("bert.encoder.layer.1.output.dense.weight").abs().max().item<float>() > 0.f);
  QVERIFY(g.at("bert.encoder.layer.0.output.dense.weight").abs().max().item<float>() == 0.f);
  QVERIFY(g.at("exits.1.pooler.dense.weight").abs().max().item<float>() > 0.f);
  // Same logits as EE for the same weights: SWEET changes gradients, not the forward pass.
  torch::manual_seed(1);
  EarlyExitModel ee(tiny(), {1, 2, 4}, 2, "ee", false);
  auto a = model.forwardExits(input()), b = ee.forwardExits(input());
  for (size_t e = 0; e < a.size(); ++e) QVERIFY(torch::allclose(a[e], b[e]));
}

// Issue 25's partial cut (sweet_alpha): the later exits' gradient through each boundary
// scaled by alpha. With every exit's loss summed, alpha 1 must give EE's gradients and 0
// SWEET's, bit for bit, and with two exits each gradient is own + alpha x later, linear.
void TestExitModels::partialCut_alphaOneIsEeZeroIsSweetLinearBetween() {
  auto sumGrads = [](const std::string& method, double alpha) {
    torch::manual_seed(1);
    EarlyExitModel model(tiny(), {2, 4}, 2, method, false);
    model.boundary_gradient_scale = alpha;
    auto logits = model.forwardExits(input());
    torch::Tensor loss = torch::zeros({});
    for (const auto& l : logits) loss = loss + torch::nn::functional::cross_entropy(l, torch::tensor({0, 1, 0}, torch::kLong));
    loss.backward();
    std::map<std::string, torch::Tensor> out;
    for (auto& p : model.named_parameters())
      out[p.key()] = p.value().grad().defined() ? p.value().grad().clone() : torch::zeros_like(p.value());
    return std::make_pair(out, logits);
  };
  const auto [ee, eeLogits] = sumGrads("ee", 1.0);
  const auto [sweet, sweetLogits] = sumGrads("sweet", 1.0);
  const auto [one, oneLogits] = sumGrads("ee", 1.0);
  const auto [zero, zeroLogits] = sumGrads("ee", 0.0);
  const auto [half, halfLogits] = sumGrads("ee", 0.5);
  for (const auto& [name, g] : ee) {
    QVERIFY2(torch::equal(one.at(name), g), name.c_str());
    QVERIFY2(torch::equal(zero.at(name), sweet.at(name)), name.c_str());
    const torch::Tensor line = 0.5 * (zero.at(name) + one.at(name));
    QVERIFY2(torch::allclose(half.at(name), line, 1e-5, 1e-7), name.c_str());
  }
  // Layer 1 lies below the boundary: its gradient really differs between the ends.
  QVERIFY(!torch::equal(zero.at("bert.encoder.layer.0.output.dense.weight"), one.at("bert.encoder.layer.0.output.dense.weight")));
  for (size_t e = 0; e < eeLogits.size(); ++e) QVERIFY(torch::equal(halfLogits[e], eeLogits[e]));  // forward untouched
}

void TestExitModels::mm_membersShareNoStorage() {
  MultiModel mm(tiny(), {1, 2, 4}, 2);
  std::set<const void*> storages;
  size_t count = 0;
  for (auto& p : mm.parameters()) {
    storages.insert(p.storage().data());
    ++count;
  }
  QCOMPARE(storages.size(), count);
  QCOMPARE(mm.member(0)->backbone->numLayers(), 1);
  QCOMPARE(mm.member(2)->backbone->numLayers(), 4);
}

void TestExitModels::mm_eachLossTrainsOnlyItsMember() {
  torch::manual_seed(2);
  MultiModel mm(tiny(), {1, 2, 4}, 2);
  auto g = gradsOfExit(mm, 1);
  for (const auto& [name, grad] : g) {
    const bool own = name.rfind("models.1.", 0) == 0;
    if (!own) QVERIFY2(grad.abs().max().item<float>() == 0.f, name.c_str());
  }
  QVERIFY(g.at("models.1.bert.encoder.layer.0.output.dense.weight").abs().max().item<float>() > 0.f);
}

QTEST_GUILESS_MAIN(TestExitModels)
#include "test_exit_models.moc"
