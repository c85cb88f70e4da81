// The fused AdamW must make the same updates as torch::optim::AdamW (the reference the
// paper's code uses), with and without weight decay, on CPU tensors.
#include <QtTest>

#include <torch/torch.h>

#include "training/runs/fused_adamw.h"

using namespace sweet;

class TestFusedAdamW : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void step_matchesTorchAdamW_data();
  void step_matchesTorchAdamW();
  void zeroGrad_dropsGradients();
  void step_parameterSkippingStepsMatchesTorchAdamW();
};

void TestFusedAdamW::step_matchesTorchAdamW_data() {
  QTest::addColumn<double>("weightDecay");
  QTest::newRow("no decay") << 0.0;
  QTest::newRow("decay 0.01") << 0.01;
}

void TestFusedAdamW::step_matchesTorchAdamW() {
  QFETCH(double, weightDecay);
  torch::manual_seed(0);
  // Sizes above and below the parallel grain, so both code paths of the loop run.
  auto a = torch::randn({300, 200}).set_requires_grad(true), b = torch::randn({7}).set_requires_grad(true);
  auto a2 = a.detach().clone().set_requires_grad(true), b2 = b.detach().clone().set_requires_grad(true);
  const auto initial = a.detach().clone();
  FusedAdamW fused({{{a, b}, weightDecay}}, AdamWHyper{1e-2, 0.9, 0.999, 1e-8, weightDecay});
  torch::optim::AdamW reference({a2, b2}, torch::optim::AdamWOptions(1e-2).weight_decay(weightDecay));
  for (int step = 0; step < 5; ++step) {
    auto g1 = torch::randn({300, 200}), g2 = torch::randn({7});
    a.mutable_grad() = g1.clone();
    b.mutable_grad() = g2.clone();
    a2.mutable_grad() = g1.clone();
    b2.mutable_grad() = g2.clone();
    fused.setLearningRate(1e-2 * (1.0 - 0.1 * step));
    static_cast<torch::optim::AdamWOptions&>(reference.param_groups()[0].options()).lr(1e-2 * (1.0 - 0.1 * step));
    fused.step();
    reference.step();
  }
  QVERIFY((a - a2).abs().max().item<float>() < 1e-6f);
  QVERIFY((b - b2).abs().max().item<float>() < 1e-6f);
  QVERIFY((a - initial).abs().min().item<float>() > 0.f);  // every element was updated
}

void TestFusedAdamW::zeroGrad_dropsGradients() {
  auto p = torch::ones({3}).set_requires_grad(true);
  FusedAdamW opt({{{p}, 0.0}}, AdamWHyper{});
  (p * 2).sum().backward();
  QVERIFY(p.grad().defined());
  opt.zeroGrad();
  QVERIFY(!p.grad().defined());
  opt.step();  // no gradient: no update, no crash
  QVERIFY(torch::equal(p, torch::ones({3})));
}

// A parameter that has a gradient only every other step (the LTE heads under the
// alternate schedule) is bias-corrected by its own update count, as in PyTorch: with one
// count for the whole optimiser its second update would be ~2x too small.
void TestFusedAdamW::step_parameterSkippingStepsMatchesTorchAdamW() {
  torch::manual_seed(3);
  auto a = torch::randn({40, 30}).set_requires_grad(true), b = torch::randn({30}).set_requires_grad(true);
  auto a2 = a.detach().clone().set_requires_grad(true), b2 = b.detach().clone().set_requires_grad(true);
  FusedAdamW fused({{{a, b}, 0.01}}, AdamWHyper{1e-2, 0.9, 0.999, 1e-8, 0.01});
  torch::optim::AdamW reference({a2, b2}, torch::optim::AdamWOptions(1e-2).weight_decay(0.01));
  const auto bBefore = b.detach().clone();
  for (int step = 0; step < 6; ++step) {
    fused.zeroGrad();
    b2.mutable_grad() = torch::Tensor();  // no gradient at all (libtorch 1.13's zero_grad() fills zeros)
    auto g1 = torch::randn({40, 30});
    a.mutable_grad() = g1.clone();
    a2.mutable_grad() = g1.clone();
    if (step % 2 == 1) {  // b trains on odd steps only
      auto g2 = torch::randn({30});
      b.mutable_grad() = g2.clone();
      b2.mutable_grad() = g2.clone();
    }
    fused.step();
    reference.step();
    if (step == 0) QVERIFY(torch::equal(b, bBefore));  // no gradient: not even weight decay moves it
  }
  QVERIFY((a - a2).abs().max().item<float>() < 1e-6f);
  QVERIFY2((b - b2).abs().max().item<float>() < 1e-6f, std::to_string((b - b2).abs().max().item<float>()).c_str());
  const auto moments = fused.momentTensors();
  QCOMPARE(moments.size(), size_t{6});
  QCOMPARE(moments[2].item<int64_t>(), int64_t{6});  // a: every step
  QCOMPARE(moments[5].item<int64_t>(), int64_t{3});  // b: odd steps only
}

QTEST_GUILESS_MAIN(TestFusedAdamW)
#include "test_fused_adamw.moc"
