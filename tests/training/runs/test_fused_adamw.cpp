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
  void step_multiTensorPathMatchesFusedPath();
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

// The multi-tensor (_foreach_*) path is what CUDA parameters take; forced onto CPU
// tensors it must make the fused loop's updates, across two groups with different decay
// and a parameter that skips steps (its own bias correction). Not bit-equal: the fused
// loop rounds 1 - beta1 in float where the tensor ops take it in double, and vectorised
// tensor ops may contract a * b + c into an FMA the scalar loop does not; a few ulps.
void TestFusedAdamW::step_multiTensorPathMatchesFusedPath() {
  torch::manual_seed(5);
  auto make = [] {
    return std::vector<torch::Tensor>{torch::randn({300, 200}), torch::randn({7}), torch::randn({30})};
  };
  const auto initial = make();
  std::vector<torch::Tensor> f, m;
  for (const auto& t : initial) {
    f.push_back(t.clone().set_requires_grad(true));
    m.push_back(t.clone().set_requires_grad(true));
  }
  const AdamWHyper hyper{1e-2, 0.9, 0.999, 1e-8, 0.0};
  FusedAdamW fused({{{f[0], f[2]}, 0.01}, {{f[1]}, 0.0}}, hyper);
  FusedAdamW multi({{{m[0], m[2]}, 0.01}, {{m[1]}, 0.0}}, hyper);
  multi.setPath(FusedAdamW::Path::MultiTensor);
  for (int step = 0; step < 6; ++step) {
    fused.zeroGrad();
    multi.zeroGrad();
    for (size_t i = 0; i < f.size(); ++i) {
      if (i == 2 && step % 2 == 0) continue;  // the third trains on odd steps only
      const auto g = torch::randn(f[i].sizes());
      f[i].mutable_grad() = g.clone();
      m[i].mutable_grad() = g.clone();
    }
    fused.setLearningRate(1e-2 * (1.0 - 0.1 * step));
    multi.setLearningRate(1e-2 * (1.0 - 0.1 * step));
    fused.step();
    multi.step();
  }
  for (size_t i = 0; i < f.size(); ++i) {
    const float diff = (f[i] - m[i]).abs().max().item<float>();
    QVERIFY2(diff < 1e-6f, (std::to_string(i) + ": " + std::to_string(diff)).c_str());
    QVERIFY((m[i] - initial[i]).abs().min().item<float>() > 0.f);  // the multi-tensor path updated it
  }
  const auto fm = fused.momentTensors(), mm = multi.momentTensors();
  QCOMPARE(fm.size(), mm.size());
  for (size_t i = 0; i < fm.size(); ++i) QVERIFY((fm[i].to(torch::kDouble) - mm[i].to(torch::kDouble)).abs().max().item<double>() < 1e-6);
  QCOMPARE(mm[5].item<int64_t>(), int64_t{3});  // the skipping parameter's own update count
}

QTEST_GUILESS_MAIN(TestFusedAdamW)
#include "test_fused_adamw.moc"
