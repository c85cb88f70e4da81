// Hugging Face checkpoint folders: key prefixes, precise mismatch errors, pickle refusal,
// and a save/open round trip per dtype.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/support/test_paths.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/models/bert_model.h"
#include "training/checkpoints/safetensors.h"
#include "training/checkpoints/state_dict.h"
#include "tests/support/tiny_models.h"

using namespace sweet;

class TestBertCheckpoint : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void config_realBertBaseFileParses();
  void config_inconsistentHeadsAreReported();
  void open_bertPrefixAndClassifierKeysLoad();
  void open_gammaBetaNamesLoad();
  void open_missingAndMismatchedKeysReportedTogether();
  void open_pickleIsRefusedWithConversionHint();
  void save_roundTripIsBitExact_data();
  void save_roundTripIsBitExact();
};

namespace {
BertConfig tinyConfig() { return testing::tinyBertConfig({/*layers*/ 2, /*hidden*/ 8, /*heads*/ 2, /*vocab*/ 40, /*maxPositions*/ 16}); }
// Writes `tensors` as a checkpoint folder with tinyConfig().
std::string writeFolder(const QTemporaryDir& dir, const QString& name,
                        const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  const std::string path = dir.filePath(name).toStdString();
  std::filesystem::create_directories(path);
  saveBertConfig(tinyConfig(), path + "/config.json");
  saveSafetensors(path + "/model.safetensors", tensors);
  return path;
}
bool sameWeights(BertModelImpl& a, BertModelImpl& b) {
  auto sa = namedState(a), sb = namedState(b);
  for (size_t i = 0; i < sa.size(); ++i)
    if (!torch::equal(sa[i].second, sb[i].second)) return false;
  return true;
}
}  // namespace

void TestBertCheckpoint::config_realBertBaseFileParses() {
  const QString path = test::sharedData("configs/bert-base-uncased/config.json");
  SWEET_REQUIRE_SHARED(path);
  BertConfig c = loadBertConfig(path.toStdString());
  QCOMPARE(c.vocab_size, 30522);
  QCOMPARE(c.hidden_size, 768);
  QCOMPARE(c.num_hidden_layers, 12);
  QCOMPARE(c.num_attention_heads, 12);
  QCOMPARE(c.intermediate_size, 3072);
  QCOMPARE(c.hidden_act, std::string("gelu"));
  QCOMPARE(c.max_position_embeddings, 512);
  QCOMPARE(c.type_vocab_size, 2);
  QCOMPARE(c.layer_norm_eps, 1e-12);
}

void TestBertCheckpoint::config_inconsistentHeadsAreReported() {
  nlohmann::json j = bertConfigToJson(tinyConfig());
  j["num_attention_heads"] = 3;
  try {
    bertConfigFromJson(j, "cfg.json");
    QFAIL("8 hidden / 3 heads accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith("cfg.json: hidden_size (8)"), e.what());
  }
}

void TestBertCheckpoint::open_bertPrefixAndClassifierKeysLoad() {
  torch::manual_seed(1);
  BertModel source(tinyConfig());
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (auto& [name, t] : namedState(*source)) tensors.emplace_back("bert." + name, t);
  tensors.emplace_back("classifier.weight", torch::zeros({2, 8}));
  tensors.emplace_back("classifier.bias", torch::zeros({2}));
  tensors.emplace_back("bert.embeddings.position_ids", torch::arange(16).unsqueeze(0));
  QTemporaryDir dir;
  auto ck = openBertCheckpoint(writeFolder(dir, "cls", tensors));
  BertModel target(tinyConfig());
  auto report = loadEncoderWeights(*target, ck);
  QVERIFY(sameWeights(*source, *target));
  QCOMPARE(report.ignored.size(), size_t{3});
  QVERIFY(report.left_initialised.empty());
}

void TestBertCheckpoint::open_gammaBetaNamesLoad() {
  torch::manual_seed(2);
  BertModel source(tinyConfig());
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (auto& [name, t] : namedState(*source)) {
    std::string key = name;
    if (key.size() > 16 && key.compare(key.size() - 16, 16, "LayerNorm.weight") == 0)
      key = key.substr(0, key.size() - 6) + "gamma";
    if (key.size() > 14 && key.compare(key.size() - 14, 14, "LayerNorm.bias") == 0)
      key = key.substr(0, key.size() - 4) + "beta";
    tensors.emplace_back(key, t);
  }
  QTemporaryDir dir;
  BertModel target(tinyConfig());
  loadEncoderWeights(*target, openBertCheckpoint(writeFolder(dir, "gb", tensors)));
  QVERIFY(sameWeights(*source, *target));
}

void TestBertCheckpoint::open_missingAndMismatchedKeysReportedTogether() {
  BertModel source(tinyConfig());
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (auto& [name, t] : namedState(*source)) {
    if (name == "encoder.layer.1.output.dense.weight") continue;  // missing
    if (name == "embeddings.word_embeddings.weight") {
      tensors.emplace_back(name, torch::zeros({41, 8}));  // wrong shape
      continue;
    }
    tensors.emplace_back(name, t);
  }
  tensors.emplace_back("encoder.layer.7.output.dense.weight", torch::zeros({8, 16}));  // unexpected
  QTemporaryDir dir;
  const std::string folder = writeFolder(dir, "bad", tensors);
  BertModel target(tinyConfig());
  try {
    loadEncoderWeights(*target, openBertCheckpoint(folder));
    QFAIL("a checkpoint that does not fit loaded");
  } catch (const std::runtime_error& e) {
    const QString msg = e.what();
    QVERIFY2(msg.startsWith(QString::fromStdString(folder + "/model.safetensors")), qPrintable(msg));
    QVERIFY2(msg.contains("missing keys (1):\n    encoder.layer.1.output.dense.weight"), qPrintable(msg));
    QVERIFY2(msg.contains("unexpected keys (1):\n    encoder.layer.7.output.dense.weight"), qPrintable(msg));
    QVERIFY2(msg.contains("embeddings.word_embeddings.weight is [41, 8] in the file but the model expects [40, 8]"),
             qPrintable(msg));
  }
}

void TestBertCheckpoint::open_pickleIsRefusedWithConversionHint() {
  const QString folder = test::sharedData("fixtures/camphr-bert-test-random");
  SWEET_REQUIRE_SHARED(folder + "/pytorch_model.bin");
  try {
    openBertCheckpoint(folder.toStdString());
    QFAIL("a pickle checkpoint was opened");
  } catch (const std::runtime_error& e) {
    const QString msg = e.what();
    QVERIFY2(msg.contains("pytorch_model.bin"), qPrintable(msg));
    QVERIFY2(msg.contains("arbitrary code"), qPrintable(msg));
    QVERIFY2(msg.contains("safetensors"), qPrintable(msg));
  }
}

void TestBertCheckpoint::save_roundTripIsBitExact_data() {
  QTest::addColumn<QString>("dtype");
  QTest::newRow("F32") << "F32";
  QTest::newRow("F16") << "F16";
  QTest::newRow("BF16") << "BF16";
}

void TestBertCheckpoint::save_roundTripIsBitExact() {
  QFETCH(QString, dtype);
  torch::manual_seed(3);
  BertModel source(tinyConfig());
  initBertWeights(*source);
  QTemporaryDir dir;
  const std::string first = dir.filePath("first").toStdString(), second = dir.filePath("second").toStdString();
  saveCheckpointFolder(first, tinyConfig(), namedState(*source), dtype.toStdString());
  auto ck = openBertCheckpoint(first);
  QCOMPARE(QString::fromStdString(ck.dtype), dtype);
  BertModel loaded(tinyConfig());
  loadEncoderWeights(*loaded, ck);
  saveCheckpointFolder(second, ck.config, namedState(*loaded), ck.dtype);
  auto again = openBertCheckpoint(second);
  QCOMPARE(again.tensors.size(), ck.tensors.size());
  for (const auto& [name, t] : ck.tensors) {
    const at::Tensor& u = again.tensors.at(name);
    QCOMPARE(u.scalar_type(), t.scalar_type());
    QVERIFY2(std::memcmp(u.data_ptr(), t.data_ptr(), t.numel() * t.element_size()) == 0, name.c_str());
  }
}

QTEST_GUILESS_MAIN(TestBertCheckpoint)
#include "test_bert_checkpoint.moc"
