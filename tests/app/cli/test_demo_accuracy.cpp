// Tests for cli/demo_accuracy: the per-difficulty split `sweet demo` prints, on a run whose
// exits are right on known difficulties only, so every cell is known by hand.
#include "cli/demo_accuracy.h"
#include "training/text/demo_task.h"

#include <QtTest>

using namespace sweet;

namespace {

// Exit 0 answers right exactly on the easy instances, exit 1 on every instance.
analysis::RunData demoRun(int64_t n) {
  analysis::RunData run;
  run.path = "demo-ee.h5";
  run.method = "ee";
  run.exitLayers = {1, 4};
  run.config = {{"demo_eval_size", n}};
  run.eval.exits = 2;
  run.eval.instances = n;
  run.eval.classes = 2;
  const auto examples = generateDemoExamples(n, kDemoEvalSeed);
  run.eval.logits.resize(static_cast<size_t>(2 * n * 2));
  for (int64_t e = 0; e < 2; ++e)
    for (int64_t i = 0; i < n; ++i) {
      const int64_t label = examples[static_cast<size_t>(i)].example.label;
      const bool right = e == 1 || examples[static_cast<size_t>(i)].difficulty == DemoDifficulty::Easy;
      const int64_t predicted = right ? label : 1 - label;
      float* row = run.eval.logits.data() + (e * n + i) * 2;
      row[predicted] = 1.0f;
      row[1 - predicted] = -1.0f;
    }
  for (const auto& x : examples) run.eval.labels.push_back(x.example.label);
  return run;
}

}  // namespace

class DemoAccuracyTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void byDifficulty_eachCellByHand() {
    const int64_t n = 300;
    const auto rows = cli::demoAccuracyByDifficulty(demoRun(n));
    QCOMPARE(rows.size(), size_t(2));
    int64_t easy = 0;
    for (const auto& x : generateDemoExamples(n, kDemoEvalSeed)) easy += x.difficulty == DemoDifficulty::Easy;
    QVERIFY(easy > 0 && easy < n);
    QCOMPARE(rows[0].layer, int64_t(1));
    QCOMPARE(rows[0].instances[0], n);
    QCOMPARE(rows[0].instances[1], easy);
    QCOMPARE(rows[0].accuracy[0], static_cast<double>(easy) / static_cast<double>(n));
    QCOMPARE(rows[0].accuracy[1], 1.0);
    QCOMPARE(rows[0].accuracy[2], 0.0);
    QCOMPARE(rows[0].accuracy[3], 0.0);
    QCOMPARE(rows[1].layer, int64_t(4));
    for (double a : rows[1].accuracy) QCOMPARE(a, 1.0);
    QCOMPARE(rows[1].instances[1] + rows[1].instances[2] + rows[1].instances[3], n);
  }

  void byDifficulty_otherEvalSetIsRefused() {
    analysis::RunData run = demoRun(50);
    run.config["demo_eval_size"] = 60;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, cli::demoAccuracyByDifficulty(run));
    run.eval = {};
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, cli::demoAccuracyByDifficulty(run));
  }
};

QTEST_GUILESS_MAIN(DemoAccuracyTest)
#include "test_demo_accuracy.moc"
