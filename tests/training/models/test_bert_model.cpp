// BERT encoder: parameter names equal Hugging Face keys, forward is deterministic, and
// padding never changes the hidden states of real tokens.
#include <QtTest>

#include <torch/torch.h>

#include "training/models/bert_model.h"
#include "training/checkpoints/state_dict.h"
#include "tests/support/tiny_models.h"

using namespace sweet;

class TestBertModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void names_matchHuggingFaceKeys();
  void forward_returnsEveryLayerAndIsDeterministic();
  void forward_paddingDoesNotChangeRealTokens();
  void dropout_activeOnlyInTraining();
  void layer_firstTokenOnlyEqualsFullClsRow();
};

namespace {
BertConfig tinyConfig() { return testing::tinyBertConfig({/*layers*/ 3, /*hidden*/ 16, /*heads*/ 4, /*vocab*/ 50, /*maxPositions*/ 32}); }
}  // namespace

void TestBertModel::names_matchHuggingFaceKeys() {
  BertModel model(tinyConfig());
  std::set<std::string> names;
  for (auto& [name, t] : namedState(*model)) names.insert(name);
  for (const char* key :
       {"embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
        "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.key.bias",
        "encoder.layer.0.attention.self.value.weight", "encoder.layer.0.attention.output.dense.weight",
        "encoder.layer.0.attention.output.LayerNorm.weight", "encoder.layer.2.intermediate.dense.weight",
        "encoder.layer.2.output.dense.weight", "encoder.layer.2.output.LayerNorm.bias", "pooler.dense.weight",
        "pooler.dense.bias"})
    QVERIFY2(names.count(key), key);
  // 5 embedding tensors + 16 per layer + 2 pooler, like HF's BertModel state_dict.
  QCOMPARE(names.size(), size_t{5 + 16 * 3 + 2});
}

void TestBertModel::forward_returnsEveryLayerAndIsDeterministic() {
  torch::manual_seed(0);
  BertModel model(tinyConfig());
  initBertWeights(*model);
  model->eval();
  auto ids = torch::randint(5, 50, {2, 7}, torch::kLong);
  auto mask = torch::ones({2, 7}, torch::kLong);
  auto types = torch::zeros({2, 7}, torch::kLong);
  torch::NoGradGuard no_grad;
  auto a = model(ids, mask, types), b = model(ids, mask, types);
  QCOMPARE(a.hidden_states.size(), size_t{4});
  QCOMPARE(a.hidden_states.back().sizes().vec(), (std::vector<int64_t>{2, 7, 16}));
  QCOMPARE(a.pooled.sizes().vec(), (std::vector<int64_t>{2, 16}));
  for (size_t i = 0; i < a.hidden_states.size(); ++i) QVERIFY(torch::equal(a.hidden_states[i], b.hidden_states[i]));
}

void TestBertModel::forward_paddingDoesNotChangeRealTokens() {
  torch::manual_seed(1);
  BertModel model(tinyConfig());
  initBertWeights(*model);
  model->eval();
  torch::NoGradGuard no_grad;
  auto ids = torch::tensor({{2, 11, 12, 13, 3}}, torch::kLong);
  auto alone = model(ids, torch::ones({1, 5}, torch::kLong), torch::zeros({1, 5}, torch::kLong));
  // Same sequence padded to 9 with arbitrary pad ids, in a batch with a longer one.
  auto padded = torch::tensor({{2, 11, 12, 13, 3, 0, 7, 9, 0}, {2, 20, 21, 22, 23, 24, 25, 26, 3}}, torch::kLong);
  auto mask = torch::tensor({{1, 1, 1, 1, 1, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1}}, torch::kLong);
  auto batched = model(padded, mask, torch::zeros({2, 9}, torch::kLong));
  using torch::indexing::Slice;
  for (size_t l = 0; l < alone.hidden_states.size(); ++l) {
    auto diff = (batched.hidden_states[l].index({Slice(0, 1), Slice(0, 5)}) - alone.hidden_states[l]).abs().max();
    QVERIFY2(diff.item<float>() <= 1e-5f, qPrintable(QString("layer %1: %2").arg(l).arg(diff.item<float>())));
  }
  QVERIFY((batched.pooled.index({Slice(0, 1)}) - alone.pooled).abs().max().item<float>() <= 1e-5f);
}

void TestBertModel::dropout_activeOnlyInTraining() {
  torch::manual_seed(2);
  BertModel model(tinyConfig());
  auto ids = torch::randint(5, 50, {1, 6}, torch::kLong);
  auto mask = torch::ones({1, 6}, torch::kLong), types = torch::zeros({1, 6}, torch::kLong);
  model->train();
  auto a = model(ids, mask, types).pooled, b = model(ids, mask, types).pooled;
  QVERIFY(!torch::equal(a, b));
  model->eval();
  QVERIFY(torch::equal(model(ids, mask, types).pooled, model(ids, mask, types).pooled));
}

void TestBertModel::layer_firstTokenOnlyEqualsFullClsRow() {
  torch::manual_seed(3);
  BertModel model(tinyConfig());
  initBertWeights(*model);
  model->eval();
  auto hidden = torch::randn({2, 6, 16});
  auto mask = torch::tensor({{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}}, torch::kLong);
  auto bias = BertModelImpl::maskBias(mask, torch::kFloat);
  auto layer = model->encoder->at(1);
  auto full = layer(hidden, bias), cls = layer(hidden, bias, /*first_token_only=*/true);
  QCOMPARE(cls.sizes().vec(), (std::vector<int64_t>{2, 1, 16}));
  using torch::indexing::Slice;
  QVERIFY((full.index({Slice(), Slice(0, 1)}) - cls).abs().max().item<float>() < 1e-6f);
}

QTEST_GUILESS_MAIN(TestBertModel)
#include "test_bert_model.moc"
