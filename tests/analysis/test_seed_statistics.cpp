// Tests for analysis/seed_statistics and analysis/task_average: Student-t quantiles against
// published table values, mean / sample std / CI by hand, the single-seed case, a seed
// without a value, the average over tasks by hand, and grouping runs by config.
#include "analysis/seed_statistics.h"
#include "analysis/task_average.h"

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

  void summarizeAll_aSeedWithoutValue_isUnavailable() {
    QCOMPARE(summarizeAll({0.5, 0.7})->mean, 0.6);
    QVERIFY(!summarizeAll({0.5, std::nullopt}).has_value());
  }

  void seedSummaryAtCost_everySeedsCurveInterpolated() {
    Curve a, b;
    a.points = {{0.9, 0.25, 0.6}, {0.5, 1.0, 0.9}};
    b.points = {{0.9, 0.5, 0.7}, {0.5, 1.0, 0.8}};
    // a at 0.75: 0.6 + 0.3·(0.5/0.75) = 0.8; b at 0.75: 0.75.
    const auto s = seedSummaryAtCost({a, b}, 0.75);
    QVERIFY(s && std::abs(s->mean - 0.775) < 1e-12);
    QCOMPARE(s->n, 2);
    QVERIFY(!seedSummaryAtCost({a, b}, 0.3).has_value());  // b starts at 0.5
  }

  // Two tasks: seeds 1, 2 and 2, 3, 1. Shared seeds 1 and 2 (ascending): per-seed averages
  // (0.8 + 0.4)/2 = 0.6 and (0.6 + 0.2)/2 = 0.4, mean 0.5; seed 3 takes no part.
  void averageOverTasks_perSeedOverSharedSeeds() {
    const std::vector<TaskValues> tasks = {{{1, 2}, {0.8, 0.6}}, {{2, 3, 1}, {0.2, 0.9, 0.4}}};
    QCOMPARE(sharedSeeds(tasks), (std::vector<int64_t>{1, 2}));
    const auto avg = averageOverTasks(tasks);
    QVERIFY(avg && std::abs(avg->mean - 0.5) < 1e-12);
    QCOMPARE(avg->n, 2);
    QVERIFY(avg->std && std::abs(*avg->std - std::sqrt(0.02)) < 1e-12);
    // A shared seed without a value: the average is unavailable, not taken over the rest.
    QVERIFY(!averageOverTasks({{{1, 2}, {0.8, std::nullopt}}, {{2, 1}, {0.2, 0.4}}}).has_value());
    // A value only an unshared seed lacks does not matter.
    QVERIFY(averageOverTasks({{{1, 2}, {0.8, 0.6}}, {{2, 3, 1}, {0.2, std::nullopt, 0.4}}}).has_value());
    QVERIFY(!averageOverTasks({}).has_value());
  }

  // No seed in common: the mean of each task's mean, without a spread.
  void averageOverTasks_noSharedSeed_meanOfTaskMeans() {
    const auto avg = averageOverTasks({{{1, 2}, {0.8, 0.6}}, {{3}, {0.1}}});
    QVERIFY(avg && std::abs(avg->mean - 0.4) < 1e-12);
    QCOMPARE(avg->n, 1);
    QVERIFY(!avg->std.has_value());
    QVERIFY(!averageOverTasks({{{1, 2}, {0.8, std::nullopt}}, {{3}, {0.1}}}).has_value());
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
