// DeBERTa v1 and v2/v3 in libtorch: parameter names equal Hugging Face's checkpoint keys,
// config.json parsing, relative-position buckets, padding and first-token invariances,
// checkpoint loading errors, and the exit models (EE, SWEET, MM) on a DeBERTa backbone.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/support/test_paths.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/safetensors.h"
#include "training/checkpoints/state_dict.h"
#include "training/models/deberta_model.h"
#include "training/models/early_exit_model.h"
#include "training/models/exit_model_factory.h"
#include "training/models/multi_model.h"

using namespace sweet;

class TestDebertaModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void names_matchHuggingFaceV1Keys();
  void names_matchHuggingFaceV2Keys();
  void config_v1StringPosAttTypeAndDefaults();
  void config_realV3FileParses();
  void config_unsupportedValuesNameTheFile();
  void config_saveLoadRoundTrip();
  void relativePositions_logBuckets();
  void forward_paddingDoesNotChangeRealTokens_data();
  void forward_paddingDoesNotChangeRealTokens();
  void layer_firstTokenOnlyEqualsFullRow_data();
  void layer_firstTokenOnlyEqualsFullRow();
  void load_prefixedKeysAndPretrainingHeads();
  void load_missingUnexpectedAndMisshapedReportedTogether();
  void load_withoutPoolerInitialisesItAsHuggingFaceDoes();
  void sweet_laterExitsSendNoGradientBelowPreviousExit();
  void mm_membersHoldTheirOwnRelativeEmbeddings();
  void exitModel_saveReloadGivesSameLogits_data();
  void exitModel_saveReloadGivesSameLogits();
};

namespace {

BertConfig v1Config() {
  nlohmann::json j = {{"model_type", "deberta"},   {"vocab_size", 50},           {"hidden_size", 16},
                      {"num_hidden_layers", 3},    {"num_attention_heads", 4},   {"intermediate_size", 32},
                      {"max_position_embeddings", 24}, {"relative_attention", true}, {"pos_att_type", "c2p|p2c"},
                      {"position_biased_input", false}, {"max_relative_positions", -1},
                      {"hidden_dropout_prob", 0.0}, {"attention_probs_dropout_prob", 0.0}};
  return bertConfigFromJson(j, "v1");
}

BertConfig v3Config(bool conv = false) {
  nlohmann::json j = {{"model_type", "deberta-v2"}, {"vocab_size", 50},          {"hidden_size", 16},
                      {"num_hidden_layers", 3},     {"num_attention_heads", 4},  {"intermediate_size", 32},
                      {"max_position_embeddings", 24}, {"relative_attention", true}, {"pos_att_type", {"p2c", "c2p"}},
                      {"position_biased_input", false}, {"max_relative_positions", 16}, {"position_buckets", 4},
                      {"share_att_key", true},      {"norm_rel_ebd", "layer_norm"},
                      {"hidden_dropout_prob", 0.0}, {"attention_probs_dropout_prob", 0.0}};
  if (conv) j["conv_kernel_size"] = 3;
  return bertConfigFromJson(j, "v3");
}

std::set<std::string> names(const torch::nn::Module& m) {
  std::set<std::string> out;
  for (const auto& [name, t] : namedState(m)) out.insert(name);
  return out;
}

std::shared_ptr<DebertaModelImpl> randomModel(const BertConfig& c, uint64_t seed = 1) {
  torch::manual_seed(seed);
  auto m = std::make_shared<DebertaModelImpl>(c);
  initBackboneWeights(*m);
  // Non-zero biases everywhere, so a bias that is read wrongly shows.
  torch::NoGradGuard no_grad;
  for (auto& p : m->parameters())
    if (p.dim() == 1) p.add_(torch::randn_like(p) * 0.1);
  m->eval();
  return m;
}

ModelInput exitInput() {
  torch::manual_seed(3);
  return {torch::randint(4, 50, {3, 7}, torch::kLong), torch::ones({3, 7}, torch::kLong), torch::zeros({3, 7}, torch::kLong)};
}

}  // namespace

void TestDebertaModel::names_matchHuggingFaceV1Keys() {
  BertConfig c = v1Config();
  c.num_hidden_layers = 1;
  DebertaModelImpl m(c);
  // DebertaModel's state_dict in modeling_deberta.py (position_biased_input false, c2p|p2c),
  // plus DebertaForSequenceClassification's pooler.
  const std::set<std::string> expected = {
      "embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
      "encoder.layer.0.attention.self.in_proj.weight", "encoder.layer.0.attention.self.q_bias",
      "encoder.layer.0.attention.self.v_bias", "encoder.layer.0.attention.self.pos_proj.weight",
      "encoder.layer.0.attention.self.pos_q_proj.weight", "encoder.layer.0.attention.self.pos_q_proj.bias",
      "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.dense.bias",
      "encoder.layer.0.attention.output.LayerNorm.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
      "encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.intermediate.dense.bias",
      "encoder.layer.0.output.dense.weight", "encoder.layer.0.output.dense.bias",
      "encoder.layer.0.output.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.bias",
      "encoder.rel_embeddings.weight", "pooler.dense.weight", "pooler.dense.bias"};
  QCOMPARE(names(m), expected);
  QCOMPARE(m.encoder->at(0)->attention->self->in_proj->weight.sizes(), (torch::IntArrayRef{48, 16}));
  QCOMPARE(m.encoder->rel_embeddings->weight.sizes(), (torch::IntArrayRef{48, 16}));  // 2 x max_position_embeddings
  c.deberta.position_biased_input = true;
  c.type_vocab_size = 2;
  QVERIFY(names(DebertaModelImpl(c)).count("embeddings.position_embeddings.weight"));
  QVERIFY(names(DebertaModelImpl(c)).count("embeddings.token_type_embeddings.weight"));
}

void TestDebertaModel::names_matchHuggingFaceV2Keys() {
  BertConfig c = v3Config(/*conv=*/true);
  c.num_hidden_layers = 1;
  DebertaModelImpl m(c);
  // DebertaV2Model (modeling_deberta_v2.py) with share_att_key, norm_rel_ebd layer_norm and a conv.
  const std::set<std::string> expected = {
      "embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
      "encoder.layer.0.attention.self.query_proj.weight", "encoder.layer.0.attention.self.query_proj.bias",
      "encoder.layer.0.attention.self.key_proj.weight", "encoder.layer.0.attention.self.key_proj.bias",
      "encoder.layer.0.attention.self.value_proj.weight", "encoder.layer.0.attention.self.value_proj.bias",
      "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.dense.bias",
      "encoder.layer.0.attention.output.LayerNorm.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
      "encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.intermediate.dense.bias",
      "encoder.layer.0.output.dense.weight", "encoder.layer.0.output.dense.bias",
      "encoder.layer.0.output.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.bias",
      "encoder.rel_embeddings.weight", "encoder.LayerNorm.weight", "encoder.LayerNorm.bias",
      "encoder.conv.conv.weight", "encoder.conv.conv.bias", "encoder.conv.LayerNorm.weight",
      "encoder.conv.LayerNorm.bias", "pooler.dense.weight", "pooler.dense.bias"};
  QCOMPARE(names(m), expected);
  QCOMPARE(m.encoder->rel_embeddings->weight.sizes(), (torch::IntArrayRef{8, 16}));  // 2 x position_buckets
  c.deberta.share_att_key = false;
  auto separate = names(DebertaModelImpl(c));
  QVERIFY(separate.count("encoder.layer.0.attention.self.pos_key_proj.bias"));
  QVERIFY(separate.count("encoder.layer.0.attention.self.pos_query_proj.weight"));
}

void TestDebertaModel::config_v1StringPosAttTypeAndDefaults() {
  BertConfig c = bertConfigFromJson(nlohmann::json{{"model_type", "deberta"}, {"pos_att_type", "c2p|p2c"},
                                                   {"relative_attention", true}},
                                    "x");
  QCOMPARE(c.deberta.pos_att_type, (std::vector<std::string>{"c2p", "p2c"}));
  QCOMPARE(c.deberta.scaleFactor(), int64_t{3});
  QCOMPARE(c.vocab_size, int64_t{50265});  // Hugging Face's DebertaConfig defaults
  QCOMPARE(c.type_vocab_size, int64_t{0});
  QCOMPARE(c.layer_norm_eps, 1e-7);
  QVERIFY(c.deberta.position_biased_input);
  QCOMPARE(c.deberta.relEmbeddingRows(c.max_position_embeddings), int64_t{1024});
}

void TestDebertaModel::config_realV3FileParses() {
  const QString path = test::sharedData("configs/deberta-v3-base/config.json");
  SWEET_REQUIRE_SHARED(path);
  BertConfig c = loadBertConfig(path.toStdString());
  QCOMPARE(c.model_type, std::string("deberta-v2"));
  QVERIFY(c.deberta.v2 && c.deberta.share_att_key && c.deberta.normRelEmbeddings());
  QCOMPARE(c.vocab_size, int64_t{128100});
  QCOMPARE(c.deberta.position_buckets, int64_t{256});
  QCOMPARE(c.deberta.relEmbeddingRows(c.max_position_embeddings), int64_t{512});
  QCOMPARE(c.deberta.scaleFactor(), int64_t{3});
  QCOMPARE(c.deberta.pooler_hidden_act, std::string("gelu"));
}

void TestDebertaModel::config_unsupportedValuesNameTheFile() {
  auto message = [](nlohmann::json j) -> std::string {
    try {
      bertConfigFromJson(j, "folder/config.json");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  const std::string talking = message({{"model_type", "deberta"}, {"talking_head", true}});
  QVERIFY2(talking.find("folder/config.json: talking_head") == 0, talking.c_str());
  const std::string p2p = message({{"model_type", "deberta"}, {"pos_att_type", "c2p|p2p"}});
  QVERIFY2(p2p.find("folder/config.json") == 0 && p2p.find("p2p") != std::string::npos, p2p.c_str());
  const std::string v1Buckets = message({{"model_type", "deberta"}, {"position_buckets", 256}});
  QVERIFY2(v1Buckets.find("deberta-v2") != std::string::npos, v1Buckets.c_str());
  const std::string type = message({{"model_type", "roberta"}});
  QVERIFY2(type.find("roberta") != std::string::npos && type.find("deberta") != std::string::npos, type.c_str());
  const std::string wrong = message({{"model_type", "deberta-v2"}, {"share_att_key", "yes"}});
  QVERIFY2(wrong.find("share_att_key must be true or false") != std::string::npos, wrong.c_str());
}

void TestDebertaModel::config_saveLoadRoundTrip() {
  QTemporaryDir dir;
  for (const BertConfig& c : {v1Config(), v3Config(true)}) {
    const std::string path = dir.filePath("config.json").toStdString();
    saveBertConfig(c, path);
    const BertConfig back = loadBertConfig(path);
    QCOMPARE(back.model_type, c.model_type);
    QCOMPARE(back.deberta.pos_att_type, c.deberta.pos_att_type);
    QCOMPARE(back.deberta.position_buckets, c.deberta.position_buckets);
    QCOMPARE(back.deberta.share_att_key, c.deberta.share_att_key);
    QCOMPARE(back.deberta.conv_kernel_size, c.deberta.conv_kernel_size);
    QCOMPARE(back.deberta.position_biased_input, c.deberta.position_biased_input);
    QCOMPARE(back.layer_norm_eps, c.layer_norm_eps);
    QCOMPARE(back.type_vocab_size, int64_t{0});
  }
}

void TestDebertaModel::relativePositions_logBuckets() {
  // position_buckets 4 (mid 2), max_relative_positions 16: |d| <= 2 exact, then
  // ceil(log(|d| / 2) / log(15 / 2)) + 2: 3..15 -> 3, 16..: 4.
  const BertConfig c = v3Config();
  auto rel = debertaRelativePositions(c, 20);
  QCOMPARE(rel[0][0].item<int64_t>(), int64_t{0});
  QCOMPARE(rel[2][0].item<int64_t>(), int64_t{2});
  QCOMPARE(rel[0][2].item<int64_t>(), int64_t{-2});
  QCOMPARE(rel[5][0].item<int64_t>(), int64_t{3});
  QCOMPARE(rel[15][0].item<int64_t>(), int64_t{3});
  QCOMPARE(rel[19][0].item<int64_t>(), int64_t{4});
  QCOMPARE(rel[0][19].item<int64_t>(), int64_t{-4});
  // v1: plain i - j.
  auto plain = debertaRelativePositions(v1Config(), 5);
  QCOMPARE(plain[4][1].item<int64_t>(), int64_t{3});
  QCOMPARE(plain[1][4].item<int64_t>(), int64_t{-3});
}

void TestDebertaModel::forward_paddingDoesNotChangeRealTokens_data() {
  QTest::addColumn<bool>("v2");
  QTest::newRow("v1") << false;
  QTest::newRow("v3") << true;
}

void TestDebertaModel::forward_paddingDoesNotChangeRealTokens() {
  QFETCH(bool, v2);
  auto m = randomModel(v2 ? v3Config(true) : v1Config());
  torch::NoGradGuard no_grad;
  auto ids = torch::tensor({{2, 10, 11, 12, 3}}, torch::kLong);
  auto short_out = m->encode(ids, torch::ones({1, 5}, torch::kLong), torch::zeros({1, 5}, torch::kLong));
  auto padded = torch::tensor({{2, 10, 11, 12, 3, 0, 0, 0}}, torch::kLong);
  auto mask = torch::tensor({{1, 1, 1, 1, 1, 0, 0, 0}}, torch::kLong);
  auto long_out = m->encode(padded, mask, torch::zeros({1, 8}, torch::kLong));
  // The span of v1's relative table depends on T (min(T, max_relative_positions)), but
  // only the rows real tokens read: distances within 5 are the same rows in both.
  for (size_t l = 0; l < short_out.hidden_states.size(); ++l) {
    auto a = short_out.hidden_states[l];
    auto b = long_out.hidden_states[l].narrow(1, 0, 5);
    QVERIFY2(torch::allclose(a, b, 1e-5, 1e-5), qPrintable(QString("layer %1").arg(l)));
  }
  QVERIFY(torch::allclose(short_out.pooled, long_out.pooled, 1e-5, 1e-5));
  QCOMPARE(long_out.hidden_states[0].narrow(1, 5, 3).abs().max().item<float>(), 0.f);  // zeroed embeddings
}

void TestDebertaModel::layer_firstTokenOnlyEqualsFullRow_data() {
  QTest::addColumn<bool>("v2");
  QTest::newRow("v1") << false;
  QTest::newRow("v3 with conv") << true;
}

void TestDebertaModel::layer_firstTokenOnlyEqualsFullRow() {
  QFETCH(bool, v2);
  auto m = randomModel(v2 ? v3Config(true) : v1Config());
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(4, 50, {2, 9}, torch::kLong);
  auto mask = torch::ones({2, 9}, torch::kLong);
  mask[1][7] = 0;
  mask[1][8] = 0;
  auto x = m->embed(ids, mask, torch::zeros_like(ids));
  auto ctx = m->context(mask, x);
  for (int64_t i = 0; i < 3; ++i) {
    auto full = m->layer(i, x, ctx);
    auto first = m->layer(i, x, ctx, /*first_token_only=*/true);
    QCOMPARE(first.sizes(), (torch::IntArrayRef{2, 1, 16}));
    QVERIFY2(torch::allclose(first, full.narrow(1, 0, 1), 1e-5, 1e-5), qPrintable(QString("layer %1").arg(i)));
    x = full;
  }
}

void TestDebertaModel::load_prefixedKeysAndPretrainingHeads() {
  QTemporaryDir dir;
  auto source = randomModel(v1Config(), 5);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [name, t] : namedState(*source))
    if (name.rfind("pooler.", 0) == 0)
      tensors.emplace_back(name, t);  // DebertaForSequenceClassification keeps the pooler outside "deberta."
    else
      tensors.emplace_back("deberta." + name, t);
  tensors.emplace_back("lm_predictions.lm_head.bias", torch::zeros({50}));
  tensors.emplace_back("classifier.weight", torch::zeros({2, 16}));
  tensors.emplace_back("deberta.embeddings.position_ids", torch::arange(24, torch::kLong).unsqueeze(0));
  const std::string path = dir.filePath("ck").toStdString();
  std::filesystem::create_directories(path);
  saveBertConfig(v1Config(), path + "/config.json");
  saveSafetensors(path + "/model.safetensors", tensors);
  auto ck = openBertCheckpoint(path);
  DebertaModelImpl target(ck.config);
  auto report = loadEncoderWeights(target, ck);
  QCOMPARE(report.ignored.size(), size_t{3});
  QVERIFY(report.left_initialised.empty());
  auto a = namedState(*source), b = namedState(target);
  for (size_t i = 0; i < a.size(); ++i) QVERIFY2(torch::equal(a[i].second, b[i].second), a[i].first.c_str());
}

// Released DeBERTa checkpoints have no pooler: it must start from N(0, 0.02) weights and a
// zero bias as Hugging Face's new heads do, not libtorch's uniform ±1/sqrt(H) (std 0.14 at
// H = 16), and the log must say so.
void TestDebertaModel::load_withoutPoolerInitialisesItAsHuggingFaceDoes() {
  QTemporaryDir dir;
  auto source = randomModel(v1Config(), 5);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [name, t] : namedState(*source))
    if (name.rfind("pooler.", 0) != 0) tensors.emplace_back("deberta." + name, t);
  const std::string path = dir.filePath("nopooler").toStdString();
  std::filesystem::create_directories(path);
  saveBertConfig(v1Config(), path + "/config.json");
  saveSafetensors(path + "/model.safetensors", tensors);
  const BertCheckpoint ck = openBertCheckpoint(path);
  torch::manual_seed(3);
  std::vector<std::string> notes;
  auto model = buildExitClassifier(ck, "ee", {1, 2, 3}, 2, /*shared_pooler=*/false, &notes);
  std::map<std::string, at::Tensor> state;
  for (const auto& [name, t] : namedState(*model)) state[name] = t;
  const at::Tensor w = state.at("deberta.pooler.dense.weight"), b = state.at("deberta.pooler.dense.bias");
  const double stddev = w.std().item<double>();
  QVERIFY2(stddev > 0.015 && stddev < 0.025, qPrintable(QString("pooler weight std %1").arg(stddev)));
  QVERIFY(torch::equal(b, torch::zeros_like(b)));
  QCOMPARE(notes.size(), size_t(1));
  QVERIFY2(notes[0].find("pooler.dense.weight") != std::string::npos && notes[0].find("N(0, 0.02)") != std::string::npos,
           notes[0].c_str());
  // The exits' poolers start from it, as from a loaded one.
  QVERIFY(torch::equal(state.at("exits.0.pooler.dense.weight"), w));
}

void TestDebertaModel::load_missingUnexpectedAndMisshapedReportedTogether() {
  QTemporaryDir dir;
  auto source = randomModel(v3Config(), 5);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [name, t] : namedState(*source)) {
    if (name == "encoder.layer.1.attention.self.key_proj.bias") continue;                  // missing
    if (name == "encoder.rel_embeddings.weight") {
      tensors.emplace_back("deberta." + name, torch::zeros({1024, 16}));                   // wrong shape
      continue;
    }
    tensors.emplace_back("deberta." + name, t);
  }
  tensors.emplace_back("deberta.encoder.layer.0.attention.self.in_proj.weight", torch::zeros({48, 16}));  // a v1 key
  const std::string path = dir.filePath("bad").toStdString();
  std::filesystem::create_directories(path);
  saveBertConfig(v3Config(), path + "/config.json");
  saveSafetensors(path + "/model.safetensors", tensors);
  auto ck = openBertCheckpoint(path);
  DebertaModelImpl target(ck.config);
  try {
    loadEncoderWeights(target, ck);
    QFAIL("a checkpoint that does not fit loaded");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find(path + "/model.safetensors") == 0, msg.c_str());
    QVERIFY2(msg.find("missing keys (1):\n    encoder.layer.1.attention.self.key_proj.bias") != std::string::npos, msg.c_str());
    QVERIFY2(msg.find("unexpected keys (1):\n    deberta.encoder.layer.0.attention.self.in_proj.weight") != std::string::npos,
             msg.c_str());
    QVERIFY2(msg.find("deberta.encoder.rel_embeddings.weight is [1024, 16] in the file but the model expects [8, 16]") !=
                 std::string::npos,
             msg.c_str());
  }
}

void TestDebertaModel::sweet_laterExitsSendNoGradientBelowPreviousExit() {
  torch::manual_seed(0);
  EarlyExitModel model(v1Config(), {1, 2, 3}, 2, "sweet", false);
  model.eval();  // no dropout, so gradients are deterministic
  auto logits = model.forwardExits(exitInput());
  QCOMPARE(logits.size(), size_t{3});
  torch::nn::functional::cross_entropy(logits[2], torch::tensor({0, 1, 0}, torch::kLong)).backward();
  for (auto& p : model.named_parameters()) {
    const std::string& name = p.key();
    const bool below = name.rfind("deberta.embeddings.", 0) == 0 || name.rfind("deberta.encoder.layer.0.", 0) == 0 ||
                       name.rfind("deberta.encoder.layer.1.", 0) == 0;
    if (!below) continue;
    const float g = p.value().grad().defined() ? p.value().grad().abs().max().item<float>() : 0.f;
    QVERIFY2(g == 0.f, name.c_str());
  }
  auto own = model.named_parameters()["deberta.encoder.layer.2.attention.self.in_proj.weight"].grad();
  QVERIFY(own.defined() && own.abs().max().item<float>() > 0.f);
  // rel_embeddings are read by every layer, so the last exit's loss reaches them: SWEET
  // separates the layers' own weights, not the shared table (as in Hugging Face's model).
  QVERIFY(model.named_parameters()["deberta.encoder.rel_embeddings.weight"].grad().abs().max().item<float>() > 0.f);
}

void TestDebertaModel::mm_membersHoldTheirOwnRelativeEmbeddings() {
  QTemporaryDir dir;
  auto source = randomModel(v3Config(), 9);
  const std::string path = dir.filePath("ck").toStdString();
  saveCheckpointFolder(path, v3Config(), namedState(*source));
  auto ck = openBertCheckpoint(path);
  torch::manual_seed(0);
  auto model = buildExitClassifier(ck, "mm", {1, 3}, 2, false);
  auto& mm = dynamic_cast<MultiModel&>(*model);
  QCOMPARE(mm.member(0)->backbone->numLayers(), int64_t{1});
  auto state = model->named_parameters();
  auto r0 = state["models.0.deberta.encoder.rel_embeddings.weight"];
  auto r1 = state["models.1.deberta.encoder.rel_embeddings.weight"];
  QVERIFY(torch::equal(r0, source->encoder->rel_embeddings->weight));
  QVERIFY(torch::equal(r1, source->encoder->rel_embeddings->weight));
  QVERIFY(r0.data_ptr() != r1.data_ptr());
  QVERIFY(torch::equal(state["models.0.deberta.encoder.LayerNorm.weight"], source->encoder->LayerNorm->weight));
  QVERIFY(torch::equal(state["models.1.head.pooler.dense.weight"], source->pooler->dense->weight));
}

void TestDebertaModel::exitModel_saveReloadGivesSameLogits_data() {
  QTest::addColumn<QString>("method");
  QTest::addColumn<bool>("v2");
  QTest::newRow("sweet v1") << "sweet" << false;
  QTest::newRow("ee v3") << "ee" << true;
  QTest::newRow("mm v3") << "mm" << true;
}

void TestDebertaModel::exitModel_saveReloadGivesSameLogits() {
  QFETCH(QString, method);
  QFETCH(bool, v2);
  QTemporaryDir dir;
  const BertConfig config = v2 ? v3Config(true) : v1Config();
  auto source = randomModel(config, 2);
  const std::string ckPath = dir.filePath("ck").toStdString();
  saveCheckpointFolder(ckPath, config, namedState(*source));
  torch::manual_seed(0);
  auto model = buildExitClassifier(openBertCheckpoint(ckPath), method.toStdString(), {1, 3}, 2, false);
  model->eval();
  const std::string saved = dir.filePath("fine-tuned").toStdString();
  saveExitClassifier(*model, config, {"no", "yes"}, false, saved, std::nullopt);
  auto reloaded = loadExitClassifier(saved);
  reloaded->eval();
  QCOMPARE(reloaded->method(), method.toStdString());
  torch::NoGradGuard no_grad;
  auto a = model->forwardExits(exitInput()), b = reloaded->forwardExits(exitInput());
  QCOMPARE(a.size(), b.size());
  for (size_t e = 0; e < a.size(); ++e) QVERIFY(torch::equal(a[e], b[e]));
  const auto j = nlohmann::json::parse(std::ifstream(saved + "/config.json"));
  QCOMPARE(j["model_type"].get<std::string>(), config.model_type);
  QCOMPARE(j["sweet"]["method"].get<std::string>(), method.toStdString());
}

QTEST_GUILESS_MAIN(TestDebertaModel)
#include "test_deberta_model.moc"
