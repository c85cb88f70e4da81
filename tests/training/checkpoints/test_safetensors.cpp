// safetensors reader/writer: round trips per dtype, deterministic bytes, precise errors.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <fstream>

#include "training/checkpoints/safetensors.h"
#include "training/checkpoints/safetensors_header.h"

using namespace sweet;

class TestSafetensors : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip_isBitExactForEveryDtype_data();
  void roundTrip_isBitExactForEveryDtype();
  void save_sameTensorsGiveSameBytes();
  void load_truncatedFileNamesFileAndTensor();
  void load_truncatedHeaderIsReported();
  void load_wrongOffsetsAreReported();
  void load_badJsonIsReported();
  void index_refusesShardsOutsideTheFolder();
};

namespace {
std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void writeAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
std::vector<std::pair<std::string, at::Tensor>> sample(at::ScalarType type) {
  torch::manual_seed(7);
  if (type == at::kLong) return {{"a", torch::arange(12, torch::kLong).view({3, 4})}, {"b", torch::tensor({-5L})}};
  return {{"layer.weight", torch::randn({3, 5}).to(type)}, {"layer.bias", torch::randn({5}).to(type)},
          {"scalar", torch::randn({}).to(type)}};
}
}  // namespace

void TestSafetensors::roundTrip_isBitExactForEveryDtype_data() {
  QTest::addColumn<int>("dtype");
  QTest::newRow("F32") << static_cast<int>(at::kFloat);
  QTest::newRow("F16") << static_cast<int>(at::kHalf);
  QTest::newRow("BF16") << static_cast<int>(at::kBFloat16);
  QTest::newRow("I64") << static_cast<int>(at::kLong);
}

void TestSafetensors::roundTrip_isBitExactForEveryDtype() {
  QFETCH(int, dtype);
  const auto type = static_cast<at::ScalarType>(dtype);
  QTemporaryDir dir;
  const std::string path = dir.filePath("m.safetensors").toStdString();
  auto tensors = sample(type);
  saveSafetensors(path, tensors);
  auto loaded = loadSafetensors(path);
  QCOMPARE(loaded.tensors.size(), tensors.size());
  QCOMPARE(loaded.metadata.at("format"), std::string("pt"));
  for (const auto& [name, t] : tensors) {
    const at::Tensor& back = loaded.tensors.at(name);
    QCOMPARE(back.scalar_type(), type);
    QCOMPARE(back.sizes().vec(), t.sizes().vec());
    // Compare raw bytes: equal() would call -0.0 == 0.0 and NaN != NaN.
    QCOMPARE(std::memcmp(back.data_ptr(), t.contiguous().data_ptr(), t.numel() * t.element_size()), 0);
    QCOMPARE(loaded.dtypes.at(name), safetensorsDtypeName(type));
  }
  // Writing what was read gives the same file again.
  const std::string again = dir.filePath("again.safetensors").toStdString();
  std::vector<std::pair<std::string, at::Tensor>> ordered;
  for (const auto& [name, t] : tensors) ordered.emplace_back(name, loaded.tensors.at(name));
  saveSafetensors(again, ordered);
  QCOMPARE(readAll(again), readAll(path));
}

void TestSafetensors::save_sameTensorsGiveSameBytes() {
  QTemporaryDir dir;
  auto tensors = sample(at::kFloat);
  saveSafetensors(dir.filePath("1").toStdString(), tensors);
  saveSafetensors(dir.filePath("2").toStdString(), tensors);
  const std::string bytes = readAll(dir.filePath("1").toStdString());
  QCOMPARE(bytes, readAll(dir.filePath("2").toStdString()));
  uint64_t headerLen = 0;
  std::memcpy(&headerLen, bytes.data(), 8);
  QCOMPARE((8 + headerLen) % 8, uint64_t{0});  // tensor data is 8-byte aligned
}

void TestSafetensors::load_truncatedFileNamesFileAndTensor() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("cut.safetensors").toStdString();
  saveSafetensors(path, sample(at::kFloat));
  std::string bytes = readAll(path);
  writeAll(path, bytes.substr(0, bytes.size() - 2));  // cuts into the last tensor only
  try {
    loadSafetensors(path);
    QFAIL("a truncated file loaded");
  } catch (const std::runtime_error& e) {
    const QString msg = e.what();
    QVERIFY2(msg.contains(QString::fromStdString(path)), qPrintable(msg));
    QVERIFY2(msg.contains("truncated"), qPrintable(msg));
    QVERIFY2(msg.contains("scalar"), qPrintable(msg));  // the last tensor is the one cut off
  }
}

void TestSafetensors::load_truncatedHeaderIsReported() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("h.safetensors").toStdString();
  saveSafetensors(path, sample(at::kFloat));
  writeAll(path, readAll(path).substr(0, 20));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadSafetensors(path));
  writeAll(path, "abc");
  try {
    loadSafetensors(path);
    QFAIL("a 3-byte file loaded");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("truncated"), e.what());
  }
}

void TestSafetensors::load_wrongOffsetsAreReported() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("o.safetensors").toStdString();
  const std::string header = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})";
  std::string bytes(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  writeAll(path, bytes + header + std::string(16, '\0'));
  try {
    loadSafetensors(path);
    QFAIL("inconsistent offsets loaded");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("need 16 bytes"), e.what());
  }
}

void TestSafetensors::load_badJsonIsReported() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("j.safetensors").toStdString();
  const std::string header = "{not json";
  std::string bytes(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  writeAll(path, bytes + header);
  try {
    loadSafetensors(path);
    QFAIL("bad JSON loaded");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("not valid JSON"), e.what());
  }
}

// A model.safetensors.index.json names shard files; one that points outside the checkpoint
// folder (or is no string) is refused naming the index, and good ones come back once each.
void TestSafetensors::index_refusesShardsOutsideTheFolder() {
  QTemporaryDir dir;
  const std::string path = dir.filePath("model.safetensors.index.json").toStdString();
  writeAll(path, R"({"weight_map": {"a": "model-1.safetensors", "b": "model-2.safetensors", "c": "model-1.safetensors"}})");
  QCOMPARE(safetensorsIndexShards(path), (std::vector<std::string>{"model-1.safetensors", "model-2.safetensors"}));
  for (const char* bad : {R"({"weight_map": {"a": "../../etc/passwd"}})", R"({"weight_map": {"a": "/etc/passwd"}})",
                          R"({"weight_map": {"a": 7}})", R"({"weight_map": []})", R"({"weight_map": {}})"}) {
    writeAll(path, bad);
    try {
      safetensorsIndexShards(path);
      QFAIL(bad);
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path)), e.what());
    }
  }
}

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
