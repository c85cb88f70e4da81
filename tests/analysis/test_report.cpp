// Tests for analysis/report and analysis/gradient_report: seeds are pooled into groups, the
// per-exit and fixed-cost numbers match hand-computed means and Student-t CIs, learning
// rates are chosen by AUC, gaps use the chosen LR, and all formats print them.
#include "analysis/gradient_report.h"
#include "analysis/report.h"
#include "analysis/exit_policy.h"
#include "analysis/lte_threshold_rule.h"
#include "run_file_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace sweet::analysis;
using sweet::testing::FakeRun;

namespace {

// Exits after layers [6, 12]; two instances, both labelled 1. P(positive) per exit:
//   seed 1: exit 1 {0.9, 0.8}, exit 2 {0.9, 0.8} -> accuracies 1,   1
//   seed 2: exit 1 {0.9, 0.3}, exit 2 {0.9, 0.8} -> accuracies 1/2, 1
//   seed 3: exit 1 {0.9, 0.3}, exit 2 {0.9, 0.4} -> accuracies 1/2, 1/2
FakeRun eeRun(int64_t seed, double lr) {
  FakeRun run;
  run.exitLayers = {6, 12};
  run.seed = seed;
  run.learningRate = lr;
  run.evalLabels = {1, 1};
  const double second1 = seed == 1 ? 0.8 : 0.3, second2 = seed == 3 ? 0.4 : 0.8;
  run.evalLogits = sweet::testing::binaryLogitTable({{0.9, second1}, {0.9, second2}});
  run.calibrationLogits = run.evalLogits;
  run.calibrationLabels = run.evalLabels;
  return run;
}

std::vector<RunData> writeAndLoad(const QTemporaryDir& dir, const std::vector<FakeRun>& fakes) {
  std::vector<RunData> runs;
  for (size_t r = 0; r < fakes.size(); ++r) {
    const std::string path = dir.filePath(QString("run%1.h5").arg(r)).toStdString();
    sweet::testing::writeRun(path, fakes[r]);
    runs.push_back(loadRun(path));
  }
  return runs;
}

std::vector<FakeRun> studyRuns() {
  FakeRun best = eeRun(1, 5e-5);  // one seed at a second LR, right everywhere: larger AUC
  FakeRun mm = eeRun(3, 2e-5);
  mm.method = "mm";
  return {eeRun(1, 2e-5), eeRun(2, 2e-5), eeRun(3, 2e-5), best, mm};
}

const GroupReport& groupOf(const Report& r, const std::string& method, double lr) {
  for (const GroupReport& g : r.groups)
    if (g.method == method && g.learningRate && *g.learningRate == lr) return g;
  throw std::runtime_error("no such group");
}

// Exits [6, 12], labels {1, 1, 0, 0}; `exit1` gives P(positive) of exit 1 per instance,
// exit 2 is always right. Configs carry the task, so tasks never pool.
FakeRun taskRun(const std::string& task, const std::string& metric, int64_t seed, std::vector<double> exit1,
                int64_t cap = 0) {
  FakeRun run;
  run.task = task;
  run.metric = metric;
  run.exitLayers = {6, 12};
  run.seed = seed;
  run.evalLabels = {1, 1, 0, 0};
  run.evalLogits = sweet::testing::binaryLogitTable({exit1, {0.9, 0.8, 0.2, 0.1}});
  run.config = {{"method", run.method}, {"task", task}, {"seed", seed}, {"learning_rate", run.learningRate}};
  if (cap > 0) run.config["train_cap"] = cap;
  return run;
}

// SST-2 (accuracy) and a CoLA-like task scored by MCC, seeds 1 and 2. Exit 1:
//   sst2 seed 1 {0.9, 0.8, 0.2, 0.1}: all right, accuracy 1
//   sst2 seed 2 {0.9, 0.3, 0.7, 0.1}: predictions 1 0 1 0, accuracy 1/2
//   cola seed 1 {0.9, 0.3, 0.2, 0.1}: predictions 1 0 0 0: TP 1, FN 1, TN 2, FP 0,
//        MCC = (1·2 − 0·1) / sqrt(1·2·2·3) = 1/√3
//   cola seed 2 {0.9, 0.8, 0.7, 0.6}: always 1, MCC 0
std::vector<FakeRun> twoTaskRuns() {
  return {taskRun("sst2", "accuracy", 1, {0.9, 0.8, 0.2, 0.1}), taskRun("sst2", "accuracy", 2, {0.9, 0.3, 0.7, 0.1}),
          taskRun("cola", "mcc", 1, {0.9, 0.3, 0.2, 0.1}), taskRun("cola", "mcc", 2, {0.9, 0.8, 0.7, 0.6})};
}

}  // namespace

class ReportTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void buildReport_poolsSeedsAndComputesHandValues() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, studyRuns()), {});
    QCOMPARE(r.groups.size(), size_t(3));
    const GroupReport& ee = groupOf(r, "ee", 2e-5);
    QCOMPARE(ee.seeds, (std::vector<int64_t>{1, 2, 3}));
    // Exit 1 accuracies 1, 1/2, 1/2: mean 2/3, sample std sqrt(1/12).
    QVERIFY(std::abs(ee.perExit[0].mean - 2.0 / 3) < 1e-12);
    QVERIFY(std::abs(*ee.perExit[0].std - std::sqrt(1.0 / 12)) < 1e-12);
    QVERIFY(std::abs(ee.perExit[1].mean - 5.0 / 6) < 1e-12);
    // Cost fractions 1/12 and 1/4 lie below the first exit (1/2): unavailable.
    QCOMPARE(ee.costFractions, (std::vector<double>{1.0 / 12, 0.25, 0.5, 0.75, 1.0}));
    QVERIFY(!ee.atCost[0] && !ee.atCost[1]);
    // At 1/2 (t = 1/K: everyone at exit 1) the scores are the exit-1 accuracies; CI with
    // t_{0.975,2} = 4.302653.
    QVERIFY(std::abs(ee.atCost[2]->mean - 2.0 / 3) < 1e-12);
    QVERIFY(std::abs(*ee.atCost[2]->ciHalfWidth - 4.302653 * std::sqrt(1.0 / 12) / std::sqrt(3.0)) < 1e-5);
    QVERIFY(std::abs(ee.atCost[4]->mean - 5.0 / 6) < 1e-12);
  }

  void buildReport_choosesLrByAucAndGapsUseIt() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, studyRuns()), {});
    const LrSelection* ee = nullptr;
    for (const LrSelection& s : r.learningRates)
      if (s.method == "ee") ee = &s;
    QVERIFY(ee);
    QCOMPARE(ee->candidates.size(), size_t(2));
    QCOMPARE(ee->chosenLearningRate(), 5e-5);
    QCOMPARE(ee->candidates[1].auc.mean, 1.0);
    // MM (seed-3 logits: 1/2, 1/2) minus the chosen EE group (1, 1).
    QCOMPARE(r.gaps.size(), size_t(1));
    QCOMPARE(r.gaps[0].method, std::string("mm"));
    QCOMPARE(*r.gaps[0].perExit[0], -0.5);
    QCOMPARE(*r.gaps[0].perExit[1], -0.5);
    // MM's cascade adds the 1 3/8 and 1 3/4 points.
    QCOMPARE(groupOf(r, "mm", 2e-5).costFractions.size(), size_t(7));
  }

  // LTE runs are an experiment of their own (issue 24 item 3): they choose their learning
  // rate apart from the plain runs, by the AUC of the learned-exit curve. Both LTE runs
  // have exit 1 right on instance 1 and wrong on instance 2, exit 2 right on both (exits at
  // layers 6 and 12, so costs 1/2, 3/4, 1):
  //   5e-5: confidences {0.6, 0.7 (wrong)}: confidence AUC (.5·.25 + .75·.25)/.5 = .625;
  //         LTE scores {0.9, 0.1}: t in (.1, .9] sends instance 2 on: learned AUC .875.
  //   2e-5: confidences {0.6, 0.55 (wrong)}: confidence AUC .875;
  //         LTE scores {0.1, 0.9}: the wrong one leaves first: learned AUC .625.
  // By confidence (or pooled with the plain runs) 2e-5 would win; by its own curve 5e-5.
  void buildReport_lteRunsChooseTheirOwnLrByLearnedCurve() {
    auto lteRun = [](double lr, std::vector<double> exit1, std::vector<float> scores) {
      FakeRun run = eeRun(1, lr);
      run.evalLogits = sweet::testing::binaryLogitTable({exit1, {0.9, 0.8}});
      run.calibrationLogits.clear();
      run.calibrationLabels.clear();
      run.lteScores = std::move(scores);
      run.config = {{"method", "ee"}, {"task", "sst2"}, {"seed", 1}, {"learning_rate", lr},
                    {"lte", {{"enabled", true}, {"schedule", "joint"}}}};
      return run;
    };
    std::vector<FakeRun> fakes = studyRuns();
    fakes.push_back(lteRun(5e-5, {0.6, 0.3}, {0.9f, 0.1f, 1.0f, 1.0f}));
    fakes.push_back(lteRun(2e-5, {0.6, 0.45}, {0.1f, 0.9f, 1.0f, 1.0f}));
    QTemporaryDir dir;
    ReportOptions options;
    options.calibrate = false;
    const Report r = buildReport(writeAndLoad(dir, fakes), options);
    const LrSelection *plain = nullptr, *lte = nullptr;
    for (const LrSelection& s : r.learningRates) {
      if (s.method == "ee") plain = &s;
      if (s.method == "ee (lte joint)") lte = &s;
    }
    QVERIFY(plain && lte);
    QCOMPARE(plain->candidates.size(), size_t(2));  // the LTE runs are not pooled into it
    QCOMPARE(plain->candidates[0].auc.n, int64_t(3));
    QCOMPARE(lte->candidates.size(), size_t(2));
    QVERIFY(std::abs(lte->candidates[0].auc.mean - 0.625) < 1e-12);  // 2e-5
    QVERIFY(std::abs(lte->candidates[1].auc.mean - 0.875) < 1e-12);  // 5e-5
    QCOMPARE(lte->chosenLearningRate(), 5e-5);
    QCOMPARE(groupOf(r, "ee (lte joint)", 5e-5).seeds, (std::vector<int64_t>{1}));
  }

  // LTE exiting as the released code does it (issue 24 item 1), against hand-computed
  // values. Exits at layers 4, 8, 12; both instances of class 1. Instance A: exit 1 wrong,
  // exit 2 right; B: exit 1 right, exit 2 wrong; exit 3 right on both. LTE scores: exit 1
  // A .1, B .2; exit 2 A .9, B .8 (exit 3's are never read).
  //  minmax: exit 1 normalises to A 0, B 1; exit 2 to A 1, B 0. t = 0: both leave at exit 1
  //   (cost 1/3, acc 1/2); t = .1 ... 1: B at exit 1, A at exit 2 (cost 1/2, acc 1). The
  //   curve ends at cost 1/2: 3/4 and 1 are unavailable.
  //  raw (exact): t <= .1: (1/3, 1/2); (.1, .2]: (1/2, 1); (.2, .8]: both at exit 2
  //   (2/3, 1/2); (.8, .9]: A at 2, B at 3 (5/6, 1); above: (1, 1). At 3/4, halfway
  //   between 2/3 and 5/6: 3/4.
  void buildReport_lteMinmaxRuleAgainstHandValues() {
    auto lteRun = [](const std::string& rule) {
      FakeRun run;
      run.exitLayers = {4, 8, 12};
      run.evalLabels = {1, 1};
      run.evalLogits = sweet::testing::binaryLogitTable({{0.3, 0.9}, {0.9, 0.3}, {0.9, 0.9}});
      run.lteScores = {0.1f, 0.2f, 0.9f, 0.8f, 0.5f, 0.5f};
      run.config = {{"method", "ee"}, {"task", "sst2"}, {"seed", 1}, {"learning_rate", 2e-5},
                    {"lte", {{"enabled", true}, {"threshold_rule", rule}}}};
      return run;
    };
    ReportOptions options;
    options.calibrate = false;
    QTemporaryDir minmaxDir, rawDir;
    const Report minmax = buildReport(writeAndLoad(minmaxDir, {lteRun("minmax")}), options);
    const Report raw = buildReport(writeAndLoad(rawDir, {lteRun("raw")}), options);
    QCOMPARE(minmax.groups.size(), size_t(1));
    const GroupReport& m = minmax.groups[0];
    const GroupReport& r = raw.groups[0];
    QCOMPARE(m.costFractions, (std::vector<double>{1.0 / 12, 0.25, 0.5, 0.75, 1.0}));
    QCOMPARE(m.atCostLearned.size(), size_t(5));
    QVERIFY(!m.atCostLearned[0] && !m.atCostLearned[1]);
    QCOMPARE(m.atCostLearned[2]->mean, 1.0);
    QVERIFY(!m.atCostLearned[3] && !m.atCostLearned[4]);
    QCOMPARE(r.atCostLearned[2]->mean, 1.0);
    QVERIFY(std::abs(r.atCostLearned[3]->mean - 0.75) < 1e-12);
    QCOMPARE(r.atCostLearned[4]->mean, 1.0);
    QCOMPARE(m.method, std::string("ee (lte joint)"));
    QCOMPARE(r.method, std::string("ee (lte joint raw)"));
  }

  void lteScoreRange_normalisesEachExitApart() {
    const std::vector<float> scores = {0.1f, 0.3f, 0.2f, 0.5f, 0.5f, 0.5f};  // [2 exits, 3 instances]
    const LteScoreRange range = lteScoreRange(scores, 2, 3);
    QCOMPARE(range.min, (std::vector<double>{0.1f, 0.5f}));
    QCOMPARE(range.max, (std::vector<double>{0.3f, 0.5f}));
    const std::vector<float> n = normaliseLteScores(scores, range, 2, 3);
    QCOMPARE(n[0], 0.0f);
    QCOMPARE(n[1], 1.0f);
    QVERIFY(std::abs(n[2] - 0.5f) < 1e-6f);
    QCOMPARE(n[3], 0.0f);  // a constant exit maps to 0
    QCOMPARE(minmaxThresholds().size(), size_t(11));
    QCOMPARE(minmaxThresholds()[3], 0.3);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, lteThresholdRuleFromName("sigmoid"));
  }

  void buildReport_singleSeedGroup_hasNoCi() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, studyRuns()), {});
    const GroupReport& single = groupOf(r, "ee", 5e-5);
    QVERIFY(!single.perExit[0].std.has_value());
    QVERIFY(!single.atCost[4]->ciHalfWidth.has_value());
    QVERIFY(formatReport(r, ReportFormat::Text).find("100.0 (n=1)") != std::string::npos);
  }

  void buildReport_byMethod_poolsLearningRates() {
    QTemporaryDir dir;
    ReportOptions options;
    options.by = {"method"};
    const Report r = buildReport(writeAndLoad(dir, studyRuns()), options);
    QCOMPARE(r.groups.size(), size_t(2));
    QCOMPARE(r.groups[0].seeds.size(), size_t(4));
    QVERIFY(!r.groups[0].learningRate.has_value());
    QVERIFY(r.groups[0].label.find("lr=mixed") != std::string::npos);
    QVERIFY(!r.notes.empty());  // seed 1 twice in the pooled EE group
    options.by = {"colour"};
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, buildReport(writeAndLoad(dir, studyRuns()), options));
  }

  void buildReport_calibrate_reportsTemperatures() {
    QTemporaryDir dir;
    ReportOptions options;
    options.calibrate = true;
    const Report r = buildReport(writeAndLoad(dir, {eeRun(2, 2e-5)}), options);
    QCOMPARE(r.groups[0].calibration.size(), size_t(2));
    QVERIFY(r.groups[0].calibration[0].nllAfter.mean <= r.groups[0].calibration[0].nllBefore.mean + 1e-12);
    QVERIFY(formatReport(r, ReportFormat::Text).find("Temperature scaling") != std::string::npos);
  }

  void formatReport_allFormats() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, studyRuns()), {});
    const std::string text = formatReport(r, ReportFormat::Text);
    QVERIFY(text.find("n/a") != std::string::npos);
    QVERIFY(text.find("1/12 (12.00x)") != std::string::npos);
    QVERIFY(text.find("chosen 5e-5") != std::string::npos);
    const std::string csv = formatReport(r, ReportFormat::Csv);
    QVERIFY(csv.rfind("section,group,", 0) == 0);
    QVERIFY(csv.find("chosen_lr,") != std::string::npos);
    const nlohmann::json json = nlohmann::json::parse(formatReport(r, ReportFormat::Json));
    QCOMPARE(json["groups"].size(), size_t(3));
    QVERIFY(json["groups"][0]["at_cost"][0]["score"].is_null());
    const std::string latex = formatReport(r, ReportFormat::Latex);
    for (const char* rule : {"\\toprule", "\\midrule", "\\bottomrule", "$\\pm$"})
      QVERIFY2(latex.find(rule) != std::string::npos, rule);
    QCOMPARE(reportFormatFromName("latex"), ReportFormat::Latex);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, reportFormatFromName("html"));
  }

  // The paper's task average: per seed the mean over tasks (MCC as it is), then mean and
  // sample std over seeds. Exit 1: seed 1 (1 + 1/√3)/2, seed 2 (1/2 + 0)/2 = 1/4.
  void buildReport_taskAverage_handValuesWithMccTask() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, twoTaskRuns()), {});
    QCOMPARE(r.taskAverages.size(), size_t(1));
    const TaskAverage& a = r.taskAverages[0];
    QCOMPARE(a.method, std::string("ee"));
    QCOMPARE(a.tasks, (std::vector<std::string>{"cola", "sst2"}));
    QCOMPARE(a.seeds, (std::vector<int64_t>{1, 2}));
    const double s1 = (1 + 1 / std::sqrt(3.0)) / 2, s2 = 0.25;
    QVERIFY(std::abs(a.perExit[0].mean - (s1 + s2) / 2) < 1e-12);
    QVERIFY(std::abs(*a.perExit[0].std - std::abs(s1 - s2) / std::sqrt(2.0)) < 1e-12);
    QCOMPARE(a.perExit[1].mean, 1.0);
    // Per-task values beside it: CoLA exit 1 (1/√3 + 0)/2, SST-2 3/4.
    QVERIFY(std::abs(a.perExitByTask[0][0] - 0.5 / std::sqrt(3.0)) < 1e-12);
    QCOMPARE(a.perExitByTask[1][0], 0.75);
    // Cost 1/2 is t = 1/K (everyone at exit 1), cost 1 is t = 1 (everyone at exit 2).
    QCOMPARE(a.costFractions[2], 0.5);
    QVERIFY(std::abs(a.atCost[2]->mean - (s1 + s2) / 2) < 1e-12);
    QCOMPARE(a.atCost[4]->mean, 1.0);
    QVERIFY(!a.atCost[0]);  // 1/12 lies below every task's curve
    for (ReportFormat f : {ReportFormat::Text, ReportFormat::Csv, ReportFormat::Json, ReportFormat::Latex}) {
      const std::string out = formatReport(r, f);
      QVERIFY2(out.find("average") != std::string::npos, out.c_str());
    }
    const nlohmann::json json = nlohmann::json::parse(formatReport(r, ReportFormat::Json));
    QCOMPARE(json["task_averages"][0]["tasks"].size(), size_t(2));
    QVERIFY(std::abs(json["task_averages"][0]["per_exit"][0]["mean"].get<double>() - (s1 + s2) / 2) < 1e-12);
  }

  void buildReport_taskAverage_needsTwoTasks() {
    QTemporaryDir dir;
    QVERIFY(buildReport(writeAndLoad(dir, studyRuns()), {}).taskAverages.empty());
  }

  // Calibrated exiting is the default and every format says which confidences were used.
  void buildReport_calibratedByDefault_andSaysSo() {
    QTemporaryDir dir;
    const std::vector<RunData> runs = writeAndLoad(dir, twoTaskRuns());  // no held-out rows
    const Report r = buildReport(runs, {});
    QVERIFY(r.calibrated);
    QCOMPARE(r.groups[0].calibrationSchemes, (std::vector<std::string>{"cross-fit", "cross-fit"}));
    QVERIFY(r.calibrationSummary.find("cross-fitted on the eval set: 4 runs") != std::string::npos);
    QVERIFY(formatReport(r, ReportFormat::Text).find("Confidences: temperature-scaled") != std::string::npos);
    QVERIFY(formatReport(r, ReportFormat::Csv).find(",cross-fit\n") != std::string::npos);
    QVERIFY(formatReport(r, ReportFormat::Latex).find("% confidences: temperature-scaled") != std::string::npos);
    QCOMPARE(nlohmann::json::parse(formatReport(r, ReportFormat::Json))["calibration"]["enabled"].get<bool>(), true);
    ReportOptions raw;
    raw.calibrate = false;
    const Report u = buildReport(runs, raw);
    QVERIFY(formatReport(u, ReportFormat::Text).find("Confidences: not temperature-scaled") != std::string::npos);
    QVERIFY(formatReport(u, ReportFormat::Csv).find(",none\n") != std::string::npos);
  }

  // MRPC and QQP are scored by accuracy with F1 beside it. Exit 1 predictions 1 0 1 0 on
  // labels 1 1 0 0: TP 1, FP 1, FN 1, F1 = 2/(2 + 1 + 1) = 1/2; exit 2 is right, F1 1.
  void buildReport_mrpc_reportsF1AsSecondaryMetric() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, {taskRun("mrpc", "accuracy", 1, {0.9, 0.3, 0.7, 0.1})}), {});
    QCOMPARE(r.groups[0].secondaryMetric, std::string("f1"));
    QCOMPARE(r.groups[0].perExit[0].mean, 0.5);
    QCOMPARE(r.groups[0].perExitSecondary[0].mean, 0.5);
    QCOMPARE(r.groups[0].perExitSecondary[1].mean, 1.0);
    // At the fixed cost fractions too: cost 1/2 is everyone at exit 1 (t = 1/K), cost 1
    // everyone at exit 2 (t = 1), so F1 is exit 1's and exit 2's there; 1/12 is out of reach.
    const GroupReport& g = r.groups[0];
    QCOMPARE(g.atCostSecondary.size(), g.costFractions.size());
    for (size_t f = 0; f < g.costFractions.size(); ++f) {
      if (g.costFractions[f] == 0.5) QCOMPARE(g.atCostSecondary[f]->mean, 0.5);
      if (g.costFractions[f] == 1.0) QCOMPARE(g.atCostSecondary[f]->mean, 1.0);
      if (g.costFractions[f] < 0.5) QVERIFY(!g.atCostSecondary[f]);
    }
    QVERIFY(formatReport(r, ReportFormat::Csv).find("at_cost_f1,mrpc ee lr=2e-5 12L,mrpc,ee,2e-05,12L,f1,0.5,1,0.5,") !=
            std::string::npos);
    QVERIFY(nlohmann::json::parse(formatReport(r, ReportFormat::Json))["groups"][0]["at_cost"].back().contains("secondary"));
    QVERIFY(formatReport(r, ReportFormat::Text).find("f1 (secondary)") != std::string::npos);
    QVERIFY(formatReport(r, ReportFormat::Csv).find("per_exit_f1,mrpc ee lr=2e-5 12L,mrpc,ee,2e-05,12L,f1,L6,1,0.5,") !=
            std::string::npos);
    QVERIFY(buildReport(writeAndLoad(dir, {taskRun("sst2", "accuracy", 1, {0.9, 0.3, 0.7, 0.1})}), {})
                .groups[0].secondaryMetric.empty());
  }

  // Table 2 as LaTeX: one row per model and method, one column per task, the chosen LR.
  void formatReport_latexLearningRateTable() {
    QTemporaryDir dir;
    const std::string latex = formatReport(buildReport(writeAndLoad(dir, twoTaskRuns()), {}), ReportFormat::Latex);
    const size_t table = latex.find("% chosen learning rate");
    QVERIFY(table != std::string::npos);
    QVERIFY(latex.find("Model / method & cola & sst2", table) != std::string::npos);
    QVERIFY(latex.find("12L ee & $2e-5$ & $2e-5$", table) != std::string::npos);
  }

  // Fig. 8: one task at several training-set caps stays apart, labelled by cap, each cap
  // choosing its own learning rate.
  void buildReport_trainCaps_groupSideBySide() {
    QTemporaryDir dir;
    const Report r = buildReport(writeAndLoad(dir, {taskRun("sst2", "accuracy", 1, {0.9, 0.8, 0.2, 0.1}, 2000),
                                                    taskRun("sst2", "accuracy", 1, {0.9, 0.3, 0.7, 0.1}, 500),
                                                    taskRun("sst2", "accuracy", 2, {0.9, 0.3, 0.7, 0.1}, 500)}),
                                 {});
    QCOMPARE(r.groups.size(), size_t(2));
    QCOMPARE(r.groups[0].trainCap, int64_t(500));
    QCOMPARE(r.groups[0].seeds.size(), size_t(2));
    QVERIFY(r.groups[0].label.find("cap=500") != std::string::npos);
    QCOMPARE(r.groups[1].trainCap, int64_t(2000));
    QCOMPARE(r.groups[1].perExit[0].mean, 1.0);
    QCOMPARE(r.learningRates.size(), size_t(2));
    ReportOptions byCap;
    byCap.by = {"task", "cap"};
    QCOMPARE(buildReport(writeAndLoad(dir, {taskRun("sst2", "accuracy", 1, {0.9, 0.8, 0.2, 0.1}, 2000),
                                            taskRun("sst2", "accuracy", 2, {0.9, 0.8, 0.2, 0.1}, 500)}),
                         byCap)
                 .groups.size(),
             size_t(2));
  }

  // A 12-layer backbone with exits [1, 4, 6]: the report's costs use 12, so the deepest exit
  // costs 1/2 and the fixed point at cost 1 lies beyond the curve.
  void buildReport_exitsBeforeLastLayer_costsUseBackboneDepth() {
    QTemporaryDir dir;
    FakeRun run = taskRun("sst2", "accuracy", 1, {0.9, 0.8, 0.2, 0.1});
    run.exitLayers = {3, 6};
    run.numLayers = 12;
    const Report r = buildReport(writeAndLoad(dir, {run}), {});
    QCOMPARE(r.groups[0].numLayers, int64_t(12));
    QCOMPARE(r.groups[0].costFractions, (std::vector<double>{1.0 / 12, 0.25, 0.5, 0.75, 1.0}));
    QVERIFY(r.groups[0].atCost[1].has_value());   // 1/4 = everyone at exit 1 (3/12)
    QVERIFY(r.groups[0].atCost[2].has_value());   // 1/2 = everyone at exit 2 (6/12)
    QVERIFY(!r.groups[0].atCost[3].has_value());  // 3/4 is beyond the deepest exit
  }

  // STS-B, in memory: exits [6, 12] predict {1,2,3,4} and {1,3,2,4} for targets {1,2,3,5}.
  // Exit 1: Sxy = 6.5, Sxx = 5, Syy = 8.75, r = 6.5/sqrt(43.75); monotone, so rho = 1.
  // Exit 2: Sxy = 5.5, r = 5.5/sqrt(43.75); ranks {1,3,2,4} vs {1,2,3,4}: rho = 4/5.
  void buildReport_regression_pearsonSpearmanPerExitAndNoCurve() {
    std::vector<RunData> runs;
    for (int64_t seed : {1, 2}) {
      RunData run;
      run.path = "stsb-s" + std::to_string(seed) + ".h5";
      run.method = "ee";
      run.task = "stsb";
      run.metric = "pearson";
      run.regression = true;
      run.numLabels = 1;
      run.labelNames = {"score"};
      run.exitLayers = {6, 12};
      run.numLayers = 12;
      run.seed = seed;
      run.learningRate = 2e-5;
      run.config = {{"task", "stsb"}, {"seed", seed}};
      run.status.state = sweet::RunState::Finished;
      run.evalDone = true;
      run.eval.exits = 2;
      run.eval.instances = 4;
      run.eval.classes = 1;
      run.eval.regression = true;
      run.eval.logits = {1, 2, 3, 4, 1, 3, 2, 4};
      run.eval.targets = {1, 2, 3, 5};
      runs.push_back(run);
    }
    for (bool calibrate : {true, false}) {
      ReportOptions options;
      options.calibrate = calibrate;
      const Report r = buildReport(runs, options);
      QCOMPARE(r.groups.size(), size_t{1});
      const GroupReport& g = r.groups[0];
      QCOMPARE(g.secondaryMetric, std::string("spearman"));
      QCOMPARE(g.perExit.size(), size_t{2});
      QVERIFY(std::abs(g.perExit[0].mean - 6.5 / std::sqrt(43.75)) < 1e-12);
      QVERIFY(std::abs(g.perExit[1].mean - 5.5 / std::sqrt(43.75)) < 1e-12);
      QVERIFY(std::abs(g.perExitSecondary[0].mean - 1.0) < 1e-12);
      QVERIFY(std::abs(g.perExitSecondary[1].mean - 0.8) < 1e-12);
      for (const auto& point : g.atCost) QVERIFY(!point);
      QVERIFY(g.calibration.empty());
      QVERIFY(r.learningRates.empty());
      for (ReportFormat format : {ReportFormat::Text, ReportFormat::Csv, ReportFormat::Json, ReportFormat::Latex}) {
        const std::string text = formatReport(r, format);
        QVERIFY(!text.empty());
      }
      const std::string text = formatReport(r, ReportFormat::Text);
      QVERIFY2(text.find("spearman (secondary)") != std::string::npos, text.c_str());
      QVERIFY2(text.find("stsb is a regression task") != std::string::npos, text.c_str());
    }
    // Exiting on confidences is refused with the reason, not a crash.
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ExitReplay(runs[0].eval));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, calibrate(runs[0]));
  }

  void formatGradients_undefinedCellsAndWindow() {
    GradientRecords records;
    records.path = "g.h5";
    records.layers = {1};
    records.exitLayers = {1, 2};
    records.steps = {5, 10};
    const float nan = std::nanf("");
    records.cosine = {1, 0.5f, 0.5f, 1, /* step 10 */ 1, nan, nan, nan};
    const std::string last = formatGradients(records, {}, ReportFormat::Text);
    QVERIFY(last.find("step 10") != std::string::npos);
    QVERIFY(last.find("undef") != std::string::npos);
    GradientReportOptions window;
    window.window = parseStepWindow("0:10");
    const nlohmann::json j = nlohmann::json::parse(formatGradients(records, window, ReportFormat::Json));
    QCOMPARE(j["layers"][0]["row_averaged_cosine"][0][1].get<double>(), 0.5);
    QCOMPARE(j["layers"][0]["current_vs_future"].get<double>(), 0.5);
    QVERIFY(formatGradients(records, {5, std::nullopt, true}, ReportFormat::Csv).find("1,row_averaged_cosine,1,2,0.5000") != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, parseStepWindow("9:3"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, formatGradients(records, {7, std::nullopt, true}, ReportFormat::Text));
  }
};

QTEST_GUILESS_MAIN(ReportTest)
#include "test_report.moc"
