// Resume checkpoints in memory: the file round-trips every tensor and value bit for bit and
// leaves no partial file; a damaged or foreign file is refused naming it; AdamW restored
// from its moments continues exactly as the optimiser that never stopped; a checkpoint whose
// bytes differ from its recorded SHA-256 is refused.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <fstream>

#include "training/runs/fused_adamw.h"
#include "training/runs/training_checkpoint.h"

using namespace sweet;

class TestTrainingCheckpoint : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void saveLoad_roundTripsEveryValueExactly();
  void load_refusesDamagedAndMissingFilesNamingThem();
  void checksum_refusesAnyChangeButAcceptsAKillBetweenTheRenames();
  void adamw_restoredFromMomentsContinuesBitForBit();
  void adamw_restoreRefusesMomentsOfAnotherModel();

 private:
  QTemporaryDir dir_;
};

void TestTrainingCheckpoint::saveLoad_roundTripsEveryValueExactly() {
  torch::manual_seed(3);
  TrainingCheckpoint c;
  c.config_json = R"({"seed": 1})";
  c.step = 17;
  c.pending_record = 15;
  c.optimizer_steps = 17;
  c.threads = 3;
  c.model["encoder.layer.0.weight"] = torch::randn({4, 3});
  c.model["embeddings.position_ids"] = torch::arange(8);
  c.moments = {torch::randn({4, 3}), torch::rand({4, 3})};
  c.cpu_rng = at::detail::getDefaultCPUGenerator().get_state();
  const std::string path = dir_.filePath("run.resume.pt").toStdString();
  saveTrainingCheckpoint(c, path);
  QVERIFY(!QFileInfo::exists(dir_.filePath("run.resume.pt.partial")));
  const TrainingCheckpoint back = loadTrainingCheckpoint(path);
  QCOMPARE(back.config_json, c.config_json);
  QCOMPARE(back.step, int64_t(17));
  QCOMPARE(back.pending_record, int64_t(15));
  QCOMPARE(back.optimizer_steps, int64_t(17));
  QCOMPARE(back.threads, int64_t(3));
  QCOMPARE(back.model.size(), size_t(2));
  for (const auto& [name, t] : c.model) QVERIFY(torch::equal(back.model.at(name), t));
  QCOMPARE(back.moments.size(), size_t(2));
  for (size_t i = 0; i < 2; ++i) QVERIFY(torch::equal(back.moments[i], c.moments[i]));
  QVERIFY(torch::equal(back.cpu_rng, c.cpu_rng));
  QVERIFY(!back.device_rng.defined());
  // The loaded generator state replays the stream drawn after it was taken.
  const auto drawn = torch::rand({5});
  at::Generator(at::detail::getDefaultCPUGenerator()).set_state(back.cpu_rng);
  QVERIFY(torch::equal(torch::rand({5}), drawn));
}

void TestTrainingCheckpoint::load_refusesDamagedAndMissingFilesNamingThem() {
  const std::string missing = dir_.filePath("none.resume.pt").toStdString();
  try {
    loadTrainingCheckpoint(missing);
    QFAIL("a missing checkpoint loaded");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find(missing) != std::string::npos, e.what());
  }
  const std::string damaged = dir_.filePath("damaged.resume.pt").toStdString();
  std::ofstream(damaged) << "not a checkpoint";
  try {
    loadTrainingCheckpoint(damaged);
    QFAIL("a damaged checkpoint loaded");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find(damaged) != std::string::npos, e.what());
    QVERIFY2(std::string(e.what()).find("--overwrite") != std::string::npos, e.what());
  }
}

void TestTrainingCheckpoint::adamw_restoredFromMomentsContinuesBitForBit() {
  torch::manual_seed(5);
  auto w = torch::randn({64, 32}).requires_grad_(true);
  auto b = torch::randn({32}).requires_grad_(true);
  const auto x = torch::randn({16, 64});
  auto stepOnce = [&](FusedAdamW& opt, torch::Tensor& wt, torch::Tensor& bt) {
    opt.zeroGrad();
    (torch::matmul(x, wt) + bt).pow(2).mean().backward();
    opt.step();
  };
  const AdamWHyper hyper{1e-2, 0.9, 0.999, 1e-8, 0.01};
  FusedAdamW uninterrupted({{{w}, 0.01}, {{b}, 0.0}}, hyper);
  for (int i = 0; i < 3; ++i) stepOnce(uninterrupted, w, b);
  // Snapshot after 3 steps, as a checkpoint does.
  auto w2 = w.detach().clone().requires_grad_(true);
  auto b2 = b.detach().clone().requires_grad_(true);
  std::vector<torch::Tensor> moments;
  for (const auto& m : uninterrupted.momentTensors()) moments.push_back(m.clone());
  const int64_t steps = uninterrupted.steps();
  for (int i = 0; i < 4; ++i) stepOnce(uninterrupted, w, b);

  FusedAdamW resumed({{{w2}, 0.01}, {{b2}, 0.0}}, hyper);
  resumed.restore(moments, steps);
  for (int i = 0; i < 4; ++i) stepOnce(resumed, w2, b2);
  QVERIFY(torch::equal(w, w2));
  QVERIFY(torch::equal(b, b2));
  QCOMPARE(resumed.steps(), uninterrupted.steps());
}

void TestTrainingCheckpoint::adamw_restoreRefusesMomentsOfAnotherModel() {
  auto w = torch::zeros({4, 4}).requires_grad_(true);
  FusedAdamW opt({{{w}, 0.0}}, AdamWHyper{});
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, opt.restore({torch::zeros({4, 5}), torch::zeros({4, 5})}, 1));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, opt.restore({torch::zeros({4, 4})}, 1));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                           opt.restore({torch::zeros({4, 4}), torch::zeros({4, 4}), torch::zeros({4, 4})}, 1));
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, opt.restore({torch::zeros({4, 4}), torch::zeros({4, 4})}, 1));  // no count
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, opt.restore({torch::zeros({4, 4}), torch::zeros({4, 4}),
                                                            torch::scalar_tensor(1, torch::kLong), torch::zeros({4, 4})},
                                                           1));
  opt.restore({torch::zeros({4, 4}), torch::zeros({4, 4}), torch::scalar_tensor(1, torch::kLong)}, 1);  // fits
}

namespace {

TrainingCheckpoint smallCheckpoint(int64_t step) {
  TrainingCheckpoint c;
  c.config_json = "{}";
  c.step = step;
  c.model["w"] = torch::randn({256, 64});  // random: any damage changes a value
  c.moments = {torch::randn({256, 64}), torch::rand({256, 64})};
  c.cpu_rng = at::detail::getDefaultCPUGenerator().get_state();
  return c;
}

QByteArray readAll(const std::string& path) {
  QFile f(QString::fromStdString(path));
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const std::string& path, const QByteArray& bytes) {
  QFile f(QString::fromStdString(path));
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}

}  // namespace

void TestTrainingCheckpoint::checksum_refusesAnyChangeButAcceptsAKillBetweenTheRenames() {
  const std::string path = dir_.filePath("sum.resume.pt").toStdString();
  saveTrainingCheckpoint(smallCheckpoint(1), path);
  QVERIFY(QFileInfo::exists(QString::fromStdString(path + ".sha256")));
  QVERIFY(!QFileInfo::exists(QString::fromStdString(path + ".sha256.partial")));
  const QByteArray first = readAll(path), firstSum = readAll(path + ".sha256");
  QVERIFY(firstSum.endsWith("  sum.resume.pt\n"));  // sha256sum -c reads it
  auto refused = [&](const QByteArray& bytes, const char* mustSay) {
    writeAll(path, bytes);
    try {
      loadTrainingCheckpoint(path);
      QFAIL(qPrintable(QStringLiteral("a changed checkpoint loaded (%1)").arg(mustSay)));
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find(path + ": " + mustSay) == 0, e.what());
      QVERIFY2(std::string(e.what()).find("--overwrite") != std::string::npos, e.what());
    }
  };
  // One bit in the tensor data (the middle of the file), 100 bytes zeroed, a truncation.
  QByteArray flipped = first;
  flipped[first.size() / 2] = static_cast<char>(flipped[first.size() / 2] ^ 0x01);
  refused(flipped, "damaged");
  QByteArray zeroed = first;
  zeroed.replace(first.size() / 3, 100, QByteArray(100, '\0'));
  refused(zeroed, "damaged");
  refused(first.left(first.size() - 1000), "damaged");
  // No checksum at all: refused, saying how to record one for a file the user trusts.
  writeAll(path, first);
  QVERIFY(QFile::remove(QString::fromStdString(path + ".sha256")));
  try {
    loadTrainingCheckpoint(path);
    QFAIL("a checkpoint without checksum loaded");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("no checksum beside it") != std::string::npos, e.what());
    QVERIFY2(std::string(e.what()).find("sha256sum sum.resume.pt > sum.resume.pt.sha256") != std::string::npos, e.what());
  }
  // A kill between the checkpoint's rename and its checksum's: the new checkpoint, the old
  // checksum, the new one still named .partial. The pair verifies and the new one loads.
  saveTrainingCheckpoint(smallCheckpoint(2), path);
  QVERIFY(QFile::rename(QString::fromStdString(path + ".sha256"), QString::fromStdString(path + ".sha256.partial")));
  writeAll(path + ".sha256", firstSum);
  QCOMPARE(loadTrainingCheckpoint(path).step, int64_t(2));
  removeTrainingCheckpoint(path);
  for (const char* suffix : {"", ".sha256", ".sha256.partial", ".partial"})
    QVERIFY2(!QFileInfo::exists(QString::fromStdString(path + suffix)), suffix);
}


QTEST_GUILESS_MAIN(TestTrainingCheckpoint)
#include "test_training_checkpoint.moc"
