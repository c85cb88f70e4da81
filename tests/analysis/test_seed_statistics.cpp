// Tests for analysis/seed_statistics: Student-t quantiles against published table values,
// mean / sample std / CI by hand, the single-seed case, and grouping runs by config.
#include "analysis/seed_statistics.h"

#include <QtTest>

#include <cmath>

using namespace sweet::analysis;

namespace {

RunData runWith(nlohmann::json config, int64_t seed, double lr) {
  RunData run;
  run.config = std::move(config);
  run.method = "ee";
  run.task = "sst2";
  run.exitLayers = {1, 12};
  run.seed = seed;
  run.learningRate = lr;
  return run;
}

}  // namespace

class SeedStatisticsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void studentTQuantile_matchesTables() {
    QVERIFY(std::abs(studentTQuantile(0.975, 4) - 2.776445) < 1e-6);
    QVERIFY(std::abs(studentTQuantile(0.975, 1) - 12.706205) < 1e-6);
    QVERIFY(std::abs(studentTQuantile(0.975, 9) - 2.262157) < 1e-6);
    QVERIFY(std::abs(studentTQuantile(0.975, 30) - 2.042272) < 1e-6);
    QVERIFY(std::abs(studentTQuantile(0.95, 10) - 1.812461) < 1e-6);
    QVERIFY(std::abs(studentTQuantile(0.025, 4) + 2.776445) < 1e-6);
    QVERIFY(std::abs(studentTQuantile(0.975, 1000) - 1.962339) < 1e-6);
  }

  void summarize_fiveSeeds_handValues() {
    // Mean 3, sample std sqrt(10/4), half-width 2.776445 · sqrt(2.5) / sqrt(5).
    const SeedSummary s = summarize({1, 2, 3, 4, 5});
    QCOMPARE(s.n, 5);
    QCOMPARE(s.mean, 3.0);
    QVERIFY(s.std && std::abs(*s.std - std::sqrt(2.5)) < 1e-12);
    QVERIFY(s.ciHalfWidth && std::abs(*s.ciHalfWidth - 2.776445 * std::sqrt(0.5)) < 1e-5);
    QVERIFY(std::abs(*s.ciLow() - (3 - *s.ciHalfWidth)) < 1e-15);
  }

  void summarize_singleSeed_hasNoSpread() {
    const SeedSummary s = summarize({0.8});
    QCOMPARE(s.n, 1);
    QCOMPARE(s.mean, 0.8);
    QVERIFY(!s.std.has_value());
    QVERIFY(!s.ciHalfWidth.has_value());
    QVERIFY(!s.ciLow().has_value());
  }

  void configFingerprint_ignoresSeedAndOutputAtAnyDepth() {
    const nlohmann::json a = {{"seed", 1}, {"output", "/a.h5"}, {"model", {{"layers", 12}, {"log_dir", "/x"}}}};
    const nlohmann::json b = {{"output", "/b.h5"}, {"seed", 2}, {"model", {{"log_dir", "/y"}, {"layers", 12}}}};
    QCOMPARE(configFingerprint(a), configFingerprint(b));
    QVERIFY(configFingerprint(a, {"model"}) == configFingerprint({{"seed", 5}}));
  }

  void groupBySeed_separatesLearningRates() {
    const nlohmann::json base = {{"task", "sst2"}, {"lr", 2e-5}};
    nlohmann::json other = base;
    other["lr"] = 5e-5;
    std::vector<RunData> runs = {runWith(base, 1, 2e-5), runWith(other, 1, 5e-5), runWith(base, 2, 2e-5)};
    const auto groups = groupBySeed(runs);
    QCOMPARE(groups.size(), size_t(2));
    QCOMPARE(groups[0], (std::vector<size_t>{0, 2}));
    QCOMPARE(groups[1], (std::vector<size_t>{1}));
    // Ignoring the learning rate (in config and attributes) pools all three.
    QCOMPARE(groupBySeed(runs, {"lr", "learning_rate"}).size(), size_t(1));
  }

  // `sweet demo --out a` and `--out b` train from equal checkpoints in different folders:
  // seeds pool by the checkpoint's identity (or, without one, its folder's name), not path.
  void groupBySeed_checkpointByIdentityNotPath() {
    const nlohmann::json a = {{"task", "demo"}, {"model", "a/scratch-bert"}, {"output_dir", "a"}};
    const nlohmann::json b = {{"task", "demo"}, {"model", "/tmp/b/scratch-bert/"}, {"output_dir", "b"}};
    const nlohmann::json c = {{"task", "demo"}, {"model", "c/other-bert"}, {"output_dir", "c"}};
    std::vector<RunData> runs = {runWith(a, 1, 2e-5), runWith(b, 2, 2e-5), runWith(c, 3, 2e-5)};
    QCOMPARE(groupBySeed(runs).size(), size_t(2));
    QCOMPARE(groupBySeed(runs)[0], (std::vector<size_t>{0, 1}));
    // With recorded identities the content hash decides: same name, different weights split.
    runs[0].modelIdentity = {{"name", "scratch-bert"}, {"hash", "11"}};
    runs[1].modelIdentity = {{"name", "scratch-bert"}, {"hash", "22"}};
    QCOMPARE(groupBySeed(runs).size(), size_t(3));
    runs[1].modelIdentity["hash"] = "11";
    QCOMPARE(groupBySeed(runs).size(), size_t(2));
  }
};

QTEST_GUILESS_MAIN(SeedStatisticsTest)
#include "test_seed_statistics.moc"
