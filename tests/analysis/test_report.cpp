// Tests for analysis/report and analysis/gradient_report: seeds are pooled into groups, the
// per-exit and fixed-cost numbers match hand-computed means and Student-t CIs, learning
// rates are chosen by AUC, gaps use the chosen LR, and all formats print them.
#include "analysis/gradient_report.h"
#include "analysis/report.h"
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
    QVERIFY(text.find("chosen 5e-05") != std::string::npos);
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
