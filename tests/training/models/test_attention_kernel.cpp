// The two attention computations (training/models/attention_kernel.h): which one a config
// selects, and, where the libtorch has at::scaled_dot_product_attention (>= 2.0; DeBERTa
// also needs its `scale`, >= 2.1), that it gives the explicit path's outputs and
// gradients on a tiny random BERT and DeBERTa with padding. Against Debian's libtorch
// 1.13 the parity tests cannot be compiled into anything but a skip: they say so.
#include <QtTest>

#include <torch/torch.h>
#include <torch/version.h>

#include <nlohmann/json.hpp>

#include "training/models/attention_kernel.h"
#include "training/models/bert_model.h"
#include "training/models/deberta_model.h"

using namespace sweet;

class TestAttentionKernel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void resolve_autoIsExplicitOnTheCpu();
  void resolve_sdpaOnlyWhereTheLibtorchHasIt();
  void resolve_refusesAnUnknownChoice();
  void sdpa_bertMatchesTheExplicitPath();
  void sdpa_debertaMatchesTheExplicitPath_data();
  void sdpa_debertaMatchesTheExplicitPath();
};

namespace {

// Outputs within 1e-5 and gradients within 1e-4 (fp32): SDPA adds the scale and mask in
// another order and sums in tiles, so only rounding may differ.
constexpr float kOutputTolerance = 1e-5f, kGradientTolerance = 1e-4f;

BertConfig debertaConfig(bool v2) {
  nlohmann::json j = {{"model_type", v2 ? "deberta-v2" : "deberta"}, {"vocab_size", 50}, {"hidden_size", 16},
                      {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"intermediate_size", 32},
                      {"max_position_embeddings", 24}, {"relative_attention", true}, {"pos_att_type", "c2p|p2c"},
                      {"position_biased_input", false}, {"max_relative_positions", v2 ? 16 : -1},
                      {"hidden_dropout_prob", 0.0}, {"attention_probs_dropout_prob", 0.0}};
  if (v2) {
    j["position_buckets"] = 4;
    j["share_att_key"] = true;
    j["norm_rel_ebd"] = "layer_norm";
  }
  return bertConfigFromJson(j, v2 ? "v3" : "v1");
}

// Three rows of 7 tokens, the last two padded (5 and 2 tokens): padding must stay masked.
torch::Tensor paddedMask() {
  auto mask = torch::ones({3, 7}, torch::kLong);
  mask[1].narrow(0, 5, 2).zero_();
  mask[2].narrow(0, 2, 5).zero_();
  return mask;
}

struct Pass {
  std::vector<torch::Tensor> hidden;                  // every hidden state
  std::vector<std::pair<std::string, torch::Tensor>> grads;  // every parameter's gradient
};

// Eval mode (no dropout); the loss weighs every real token's output by a fixed random
// tensor, so every attention weight reaches a gradient.
Pass run(EncoderBackbone& model, const torch::Tensor& mask) {
  torch::manual_seed(7);
  const auto ids = torch::randint(4, 50, {3, 7}, torch::kLong);
  model.zero_grad();
  const EncoderOutput out = model.encode(ids, mask, torch::zeros({3, 7}, torch::kLong));
  const auto weights = torch::randn_like(out.hidden_states.back());
  (out.hidden_states.back() * weights * mask.unsqueeze(2)).sum().add(out.pooled.sum()).backward();
  Pass p;
  for (const auto& h : out.hidden_states) p.hidden.push_back(h.detach().clone());
  for (const auto& named : model.named_parameters())
    if (named.value().grad().defined()) p.grads.emplace_back(named.key(), named.value().grad().clone());
  return p;
}

void compare(const Pass& explicitPass, const Pass& fused, const torch::Tensor& mask) {
  const auto keep = mask.unsqueeze(2).to(torch::kFloat);
  for (size_t i = 0; i < explicitPass.hidden.size(); ++i) {
    const float diff = ((explicitPass.hidden[i] - fused.hidden[i]) * keep).abs().max().item<float>();
    QVERIFY2(diff < kOutputTolerance, qPrintable(QString("hidden state %1 differs by %2").arg(i).arg(diff)));
  }
  QCOMPARE(fused.grads.size(), explicitPass.grads.size());
  for (size_t i = 0; i < explicitPass.grads.size(); ++i) {
    const float diff = (explicitPass.grads[i].second - fused.grads[i].second).abs().max().item<float>();
    QVERIFY2(diff < kGradientTolerance, qPrintable(QString::fromStdString(explicitPass.grads[i].first) + " gradient differs by " +
                                                  QString::number(diff)));
  }
}

}  // namespace

void TestAttentionKernel::resolve_autoIsExplicitOnTheCpu() {
  // CPU results stay the explicit path's, whatever libtorch the build uses.
  QCOMPARE(resolveAttentionKernel("auto", torch::kCPU), AttentionKernel::Explicit);
  QCOMPARE(resolveAttentionKernel("explicit", torch::Device(torch::kCUDA, 0)), AttentionKernel::Explicit);
  QCOMPARE(resolveAttentionKernel("auto", torch::Device(torch::kCUDA, 0)),
           sdpaCompiled() ? AttentionKernel::Sdpa : AttentionKernel::Explicit);
}

void TestAttentionKernel::resolve_sdpaOnlyWhereTheLibtorchHasIt() {
  QCOMPARE(sdpaCompiled(), TORCH_VERSION_MAJOR >= 2);
  if (sdpaCompiled()) {
    QCOMPARE(resolveAttentionKernel("sdpa", torch::kCPU), AttentionKernel::Sdpa);
    return;
  }
  try {
    resolveAttentionKernel("sdpa", torch::kCPU);
    QFAIL("sdpa was accepted on a libtorch without it");
  } catch (const std::runtime_error& e) {
    const QString m = e.what();
    QVERIFY2(m.contains("attention sdpa needs libtorch 2.0") && m.contains(TORCH_VERSION) && m.contains("auto or explicit"),
             e.what());
  }
}

void TestAttentionKernel::resolve_refusesAnUnknownChoice() {
  try {
    resolveAttentionKernel("flash", torch::kCPU);
    QFAIL("an unknown kernel was accepted");
  } catch (const std::runtime_error& e) {
    QCOMPARE(QString(e.what()), QString("attention must be auto, explicit or sdpa, not 'flash'"));
  }
}

void TestAttentionKernel::sdpa_bertMatchesTheExplicitPath() {
  if (!sdpaCompiled())
    QSKIP("libtorch " TORCH_VERSION " has no at::scaled_dot_product_attention (needs 2.0): the fused path is not "
          "compiled in this build, so its parity with the explicit path cannot be checked here");
  BertConfig c;
  c.vocab_size = 50;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 32;
  c.max_position_embeddings = 24;
  torch::manual_seed(1);
  BertModel model(c);
  initBertWeights(*model);
  model->eval();
  const auto mask = paddedMask();
  useAttentionKernel(*model, AttentionKernel::Explicit);
  const Pass explicitPass = run(*model, mask);
  useAttentionKernel(*model, AttentionKernel::Sdpa);
  QVERIFY(model->encoder->at(0)->attention->self->fused);
  compare(explicitPass, run(*model, mask), mask);
}

void TestAttentionKernel::sdpa_debertaMatchesTheExplicitPath_data() {
  QTest::addColumn<bool>("v2");
  QTest::newRow("v1") << false;
  QTest::newRow("v2/v3 (log buckets, shared keys)") << true;
}

void TestAttentionKernel::sdpa_debertaMatchesTheExplicitPath() {
  QFETCH(bool, v2);
  if (!sdpaScaleCompiled())
    QSKIP("libtorch " TORCH_VERSION " has no scaled_dot_product_attention with a scale argument (needs 2.1): "
          "DeBERTa's fused path is not compiled in this build, so its parity cannot be checked here");
  torch::manual_seed(1);
  auto model = std::make_shared<DebertaModelImpl>(debertaConfig(v2));
  initBackboneWeights(*model);
  {
    torch::NoGradGuard noGrad;  // non-zero biases, so a bias read wrongly shows
    for (auto& p : model->parameters())
      if (p.dim() == 1) p.add_(torch::randn_like(p) * 0.1);
  }
  model->eval();
  const auto mask = paddedMask();
  useAttentionKernel(*model, AttentionKernel::Explicit);
  const Pass explicitPass = run(*model, mask);
  useAttentionKernel(*model, AttentionKernel::Sdpa);
  QVERIFY(model->encoder->at(0)->attention->self->fused);
  compare(explicitPass, run(*model, mask), mask);
}

QTEST_GUILESS_MAIN(TestAttentionKernel)
#include "test_attention_kernel.moc"
