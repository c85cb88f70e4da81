// Curve view: series from seeds, dragging a threshold marker with mouse events moves the
// threshold and the readouts, and the fixed-ratio table is filled from the curves.
#include "ui/curve_view.h"
#include "ui/qcustomplot_include.h"
#include "ui_fixtures.h"

#include <QTableWidget>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include "analysis/lte_threshold_rule.h"

#include <cmath>
#include <numeric>

using namespace sweet::ui;

namespace {

// The rule menu holds each rule as its item data: tests pick a rule, not a row.
void selectRule(CurveView& view, sweet::analysis::ExitRule rule) {
  const int row = view.ruleSelector()->findData(QVariant::fromValue(rule));
  QVERIFY(row >= 0);
  view.ruleSelector()->setCurrentIndex(row);
}

}  // namespace

class CurveViewTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::vector<RunPtr> runs_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const LoadBatch batch = loadRunFiles(sweet::testing::writeFixtureRuns(dir_.path()));
    QVERIFY(batch.errors.empty());
    runs_ = batch.runs;
  }

  void setRuns_groupsSeedsIntoOneSeriesPerMethod() {
    CurveView view;
    view.setRuns(runs_);
    QCOMPARE(view.seriesCount(), size_t{3});
    for (const auto& s : view.model().series()) {
      QCOMPARE(s->runs.size(), size_t{2});
      QVERIFY(!s->gridCost.empty());
      for (size_t i = 0; i < s->gridCost.size(); ++i) QVERIFY(s->gridLow[i] <= s->gridMean[i] + 1e-12);
    }
    // MM is a cascade: its curve reaches past the full model's cost.
    QVERIFY(view.model().series()[2]->gridCost.back() > 1.0);
  }

  // The main window's view builds on a worker: a request superseded before its curves came
  // is dropped, never drawn; the plot ends showing the newest request's runs only.
  void asyncSetRuns_supersededRequestIsNeverDrawn() {
    CurveView view;
    view.setAsync(true);
    std::vector<RunPtr> oneMethod;
    for (const RunPtr& run : runs_)
      if (run->data.method == runs_.front()->data.method) oneMethod.push_back(run);
    QCOMPARE(oneMethod.size(), size_t{2});
    std::vector<std::vector<std::string>> drawn;  // the runs of each drawn model
    connect(&view, &CurveView::curvesDrawn, this, [&] {
      std::vector<std::string> paths;
      for (const auto& s : view.model().series())
        for (const RunPtr& run : s->runs) paths.push_back(run->data.path);
      drawn.push_back(paths);
    });
    view.setRuns(oneMethod);
    view.setRuns(runs_);
    QVERIFY(view.computing());
    QCOMPARE(view.seriesCount(), size_t{0});  // nothing yet: setRuns returned before building
    QVERIFY(view.waitForCurves());
    QTest::qWait(100);  // a late hand-over of the first request would land here
    QCOMPARE(drawn.size(), size_t{1});
    QCOMPARE(drawn.front().size(), runs_.size());
    QCOMPARE(view.seriesCount(), size_t{3});
    QVERIFY(!view.computing());
  }

  // A build asked to stop (its request superseded) ends before its next run.
  void modelBuild_stopsWhenAsked() {
    CurveModel model;
    int asked = 0;
    model.build(runs_, {}, std::nullopt, [&] { return ++asked > 2; });
    QCOMPARE(asked, 3);
    QVERIFY(model.size() < 3);
  }

  // After `sweet infer --measure`: the x axis switches to the measured wall-clock speedup
  // (seed means at the measured thresholds, layer count dashed beside), and back.
  void xAxis_switchesToMeasuredSpeedupAndBack() {
    QTemporaryDir dir;
    const QStringList files = sweet::testing::writeFixtureRuns(dir.path());
    // EE's two seeds measured at the same thresholds; the measurement is what /speed holds.
    for (int seed = 0; seed < 2; ++seed) {
      sweet::analysis::SpeedMeasurement m;
      m.name = "cpu-b32-t1";
      m.device = "cpu";
      m.batchSize = 32;
      m.threads = 1;
      m.metric = "accuracy";
      for (double t : {0.5, 0.9, 1.0}) {
        sweet::analysis::SpeedPoint p;
        p.threshold = t;
        p.layerSpeedup = 1.0 / t;
        p.measuredSpeedup = 0.8 / t + 0.1 * seed;
        p.score = 0.6 + 0.2 * t + 0.01 * seed;
        p.exitCounts = {100, 100, 100, 100};
        m.points.push_back(p);
      }
      sweet::analysis::writeSpeedMeasurement(files[seed].toStdString(), m);  // ee-s1, ee-s2
    }
    const LoadBatch batch = loadRunFiles(files);
    QVERIFY(batch.errors.empty());
    CurveView view;
    QVERIFY(sweet::testing::showWithRuns(view, batch.runs, 1000, 700));
    QCOMPARE(view.xAxisSelector()->count(), 2);
    const int cost = view.plot()->graphCount();
    view.xAxisSelector()->setCurrentIndex(1);
    QVERIFY(view.plot()->xAxis->label().contains(QStringLiteral("measured")));
    QCOMPARE(view.plot()->graphCount(), 2);  // EE measured + its layer count; SWEET and MM were not measured
    const QCPGraph* measured = view.plot()->graph(0);
    QCOMPARE(measured->data()->size(), 3);
    QCOMPARE(measured->data()->at(1)->key, (0.8 / 0.9 + 0.8 / 0.9 + 0.1) / 2);  // t = 0.9 (the middle speedup), seed mean
    QCOMPARE(measured->data()->at(1)->value, ((0.6 + 0.18) + (0.6 + 0.18 + 0.01)) / 2);
    QCOMPARE(view.plot()->graph(1)->data()->at(0)->key, 1.0);  // layer-count speedup at t = 1, the slowest point (sorted by x)
    view.xAxisSelector()->setCurrentIndex(0);
    QCOMPARE(view.plot()->graphCount(), cost);  // curves, bands and markers are back
    QCOMPARE(view.threshold(0), 0.9);
  }

  // An STS-B run predicts values, not class probabilities: no curve, a note instead of a crash.
  void build_regressionRun_isANoteNotACurve() {
    auto run = std::make_shared<LoadedRun>();
    sweet::analysis::RunData& d = run->data;
    d.path = "stsb.h5";
    d.runName = "stsb-ee";
    d.method = "ee";
    d.task = "stsb";
    d.metric = "pearson";
    d.regression = true;
    d.numLabels = 1;
    d.exitLayers = {6, 12};
    d.numLayers = 12;
    d.evalDone = true;
    d.status.state = sweet::RunState::Finished;
    d.eval.exits = 2;
    d.eval.instances = 3;
    d.eval.classes = 1;
    d.eval.regression = true;
    d.eval.logits = {1, 2, 3, 1, 3, 2};
    d.eval.targets = {1, 2, 3};
    std::vector<RunPtr> runs = runs_;
    runs.push_back(run);
    CurveModel model;
    model.build(runs);
    QCOMPARE(model.size(), size_t{3});  // the classification fixtures' three methods
    bool noted = false;
    for (const std::string& note : model.notes()) noted = noted || note.find("stsb-ee: regression task") == 0;
    QVERIFY(noted);
  }

  // Learning-to-exit: with the rule switched, series replay the runs' LTE scores as their
  // lte.threshold_rule reads them (min-max normalised per exit by default; own threshold)
  // and the readout equals a fresh learned replay of those; runs without scores are named
  // in the notes.
  void learnedRule_replaysLteScoresWithItsOwnThreshold() {
    std::vector<RunPtr> runs;
    for (const RunPtr& r : runs_) {
      auto copy = std::make_shared<LoadedRun>(*r);
      if (copy->data.method != "mm") {  // MM's runs keep no scores: noted, not drawn
        const auto& eval = copy->data.eval;
        copy->data.lteScores.resize(static_cast<size_t>(eval.exits * eval.instances));
        for (int64_t e = 0; e < eval.exits; ++e)
          for (int64_t i = 0; i < eval.instances; ++i) {
            const float* row = eval.row(e, i);
            const bool right = (row[1] > row[0]) == (eval.labels[static_cast<size_t>(i)] == 1);
            copy->data.lteScores[static_cast<size_t>(e * eval.instances + i)] =
                right ? 0.9f - 0.1f * static_cast<float>(i % 3) : 0.2f + 0.05f * static_cast<float>(i % 5);
          }
      }
      runs.push_back(copy);
    }
    CurveView view;
    view.setRuns(runs);
    QCOMPARE(view.seriesCount(), size_t{3});
    selectRule(view, sweet::analysis::ExitRule::Learned);
    QCOMPARE(view.seriesCount(), size_t{2});  // EE and SWEET
    bool noted = false;
    for (const std::string& n : view.model().notes()) noted = noted || n.find("no learning-to-exit scores") != std::string::npos;
    QVERIFY(noted);
    for (double t : {0.3, 0.75, 0.55}) {
      view.setThreshold(0, t);
      const auto& s = *view.model().series()[0];
      double cost = 0;
      for (const RunPtr& run : s.runs) {
        sweet::analysis::ExitReplay replay(run->data.eval);
        replay.setLearnedScores(sweet::analysis::lteScoresForRule(run->data));
        cost += s.cost->costFraction(replay.assign(sweet::analysis::ExitRule::Learned, t).exitCounts) /
                static_cast<double>(s.runs.size());
      }
      QVERIFY(std::abs(view.readout(0).cost - cost) < 1e-12);
    }
    QCOMPARE(view.model().series()[0]->seedCurves.front().rule, sweet::analysis::ExitRule::Learned);
    // Entropy exiting on the same runs: every method again, the readout a fresh replay's.
    selectRule(view, sweet::analysis::ExitRule::Entropy);
    QCOMPARE(view.seriesCount(), size_t{3});
    view.setThreshold(1, 0.6);
    const auto& s1 = *view.model().series()[1];
    double entropyCost = 0;
    for (const RunPtr& run : s1.runs) {
      sweet::analysis::ExitReplay replay(run->data.eval, sweet::analysis::calibrate(run->data).replayTemperatures());
      entropyCost += s1.cost->costFraction(replay.assign(sweet::analysis::ExitRule::Entropy, 0.6).exitCounts) /
                     static_cast<double>(s1.runs.size());
    }
    QVERIFY(std::abs(view.readout(1).cost - entropyCost) < 1e-12);
    // Patience (PABEE) on the same runs: the marker holds k agreeing exits, starts at 2,
    // rounds what is typed, and reads out what a fresh replay assigns.
    selectRule(view, sweet::analysis::ExitRule::Patience);
    QCOMPARE(view.seriesCount(), size_t{3});
    const auto& s2 = *view.model().series()[2];
    QCOMPARE(view.threshold(2), 2.0);
    QVERIFY(!view.calibrateBox()->isEnabled() && !view.curveKindBox()->isEnabled());  // neither applies to patience
    QCOMPARE(view.thresholdSpin(2)->decimals(), 0);
    QCOMPARE(view.thresholdSpin(2)->maximum(), static_cast<double>(s2.exitLayers.size()));
    QCOMPARE(s2.seedCurves.front().points.size(), s2.exitLayers.size());  // one point per k
    for (double typed : {1.0, 3.4, 2.0}) {
      view.thresholdSpin(2)->setValue(typed);
      const auto k = static_cast<int64_t>(std::llround(typed));
      QCOMPARE(view.threshold(2), static_cast<double>(k));
      double cost = 0, score = 0;
      for (const RunPtr& run : s2.runs) {
        sweet::analysis::ExitReplay replay(run->data.eval);
        const auto& a = replay.assignPatience(k);
        cost += s2.cost->costFraction(a.exitCounts) / static_cast<double>(s2.runs.size());
        score += replay.score(a, s2.metric) / static_cast<double>(s2.runs.size());
      }
      QVERIFY(std::abs(view.readout(2).cost - cost) < 1e-12);
      QVERIFY(std::abs(view.readout(2).score - score) < 1e-12);
    }
    QVERIFY(view.notesLabel()->text().contains(QStringLiteral("PABEE")));
    selectRule(view, sweet::analysis::ExitRule::Confidence);
    QCOMPARE(view.threshold(2), 0.9);  // back to confidence: its own default, not k
    QVERIFY(view.calibrateBox()->isEnabled() && view.curveKindBox()->isEnabled());
    QCOMPARE(view.seriesCount(), size_t{3});
  }

  void readout_matchesFullReplayWhicheverWayTheThresholdMoves() {
    CurveModel model;
    model.build(runs_);
    const double thresholds[] = {0.9, 0.6, 0.95, 0.5, 0.75, 0.75, 1.0, 0.0, 0.83, 0.52};
    for (size_t i = 0; i < model.size(); ++i) {
      const CurveSeries& s = *model.series()[i];
      for (double t : thresholds) {
        const ThresholdReadout r = model.readout(i, t);
        double cost = 0, score = 0;
        std::vector<double> counts(s.exitLayers.size(), 0.0);
        for (const auto& replay : s.replays) {
          const auto& a = replay->assignConfidence(t);
          cost += s.cost->costFraction(a.exitCounts) / static_cast<double>(s.replays.size());
          score += replay->score(a, s.metric) / static_cast<double>(s.replays.size());
          for (size_t e = 0; e < counts.size(); ++e) counts[e] += static_cast<double>(a.exitCounts[e]) / static_cast<double>(s.replays.size());
        }
        QCOMPARE(r.cost, cost);
        QCOMPARE(r.score, score);
        for (size_t e = 0; e < counts.size(); ++e) QCOMPARE(r.exitCounts[e], counts[e]);
      }
    }
  }

  void dragMarker_movesThresholdAndReadouts() {
    CurveView view;
    QVERIFY(sweet::testing::showWithRuns(view, runs_, 1000, 700));
    view.plot()->replot();
    const double before = view.threshold(0);
    const ThresholdReadout r0 = view.readout(0);
    const QString text0 = view.readoutText(0);
    const double other = view.threshold(1);
    const QPoint start = view.markerPixel(0).toPoint();
    const QPoint target(static_cast<int>(view.plot()->xAxis->coordToPixel(r0.cost * 0.6)), start.y());
    QTest::mousePress(view.plot(), Qt::LeftButton, {}, start);
    QTest::mouseMove(view.plot(), (start + target) / 2);
    QTest::mouseMove(view.plot(), target);
    QTest::mouseRelease(view.plot(), Qt::LeftButton, {}, target);
    QVERIFY(view.threshold(0) < before);          // lower threshold: earlier exits
    QVERIFY(view.readout(0).cost < r0.cost - 0.05);
    QVERIFY(view.readoutText(0) != text0);
    QCOMPARE(view.threshold(1), other);           // not in shared mode: others stay
    const auto& counts = view.readout(0).exitCounts;
    QCOMPARE(std::accumulate(counts.begin(), counts.end(), 0.0), 400.0);
    // The marker sits where the seed-mean readout says.
    QCPGraph* marker = view.plot()->graph(3);
    QCOMPARE(marker->name(), QStringLiteral("EE threshold"));
    QCOMPARE(marker->data()->at(0)->key, view.readout(0).cost);
    QCOMPARE(marker->data()->at(0)->value, view.readout(0).score);
  }

  void pressAwayFromMarker_doesNotDrag() {
    CurveView view;
    QVERIFY(sweet::testing::showWithRuns(view, runs_, 1000, 700));
    view.plot()->replot();
    const double before = view.threshold(0);
    const QPoint far = view.markerPixel(0).toPoint() + QPoint(0, 200);
    QTest::mousePress(view.plot(), Qt::LeftButton, {}, far);
    QTest::mouseMove(view.plot(), far + QPoint(-100, 0));
    QTest::mouseRelease(view.plot(), Qt::LeftButton, {}, far + QPoint(-100, 0));
    QCOMPARE(view.threshold(0), before);
  }

  void fixedRatioTable_hasPaperFractions() {
    CurveView view;
    view.setRuns(runs_);
    QTableWidget* t = view.fixedRatioTable();
    QCOMPARE(t->rowCount(), 3);
    // The CLI's columns: 1/12 … 1 for 12-layer models, plus the cascade's 1 3/8 and 1 3/4.
    QStringList headers;
    for (int c = 0; c < t->columnCount(); ++c) headers << t->horizontalHeaderItem(c)->text();
    QCOMPARE(headers, QStringList({"cost 1/12", "cost 1/4", "cost 1/2", "cost 3/4", "cost 1", "cost 1 3/8", "cost 1 3/4"}));
    for (int r = 0; r < 3; ++r) {  // only MM has the cascade's columns
      const bool mm = view.model().series()[static_cast<size_t>(r)]->method == "mm";
      QCOMPARE(t->item(r, 5)->text() != QStringLiteral("—"), mm);
    }
    QVERIFY(t->item(0, 4)->text().contains(QStringLiteral("±")));  // cost 1 reached, 2 seeds
    const auto expected = view.model().scoreAtCost(0, 1.0);
    QVERIFY(expected.has_value());
    QVERIFY(t->item(0, 4)->text().startsWith(QString::number(expected->mean, 'f', 4)));
  }
};

QTEST_MAIN(CurveViewTest)
#include "test_curve_view.moc"
