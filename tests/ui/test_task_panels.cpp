// Tests for the per-task figure (ui/task_panels_model, ui/task_panels_view): runs of two
// tasks become two panels plus their average; the average at the paper's fixed cost
// fractions equals the report's task average (one function, analysis::averageOverTasks,
// computes both: this checks the panels give it the report's seeds, tasks and curves);
// a method trained on one task only is drawn there but not averaged, and says so; the
// figure exports as one PDF.
#include "analysis/report.h"
#include "ui/plot_export.h"
#include "ui/qcustomplot_include.h"
#include "ui/task_panels_view.h"
#include "ui_fixtures.h"

#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

using namespace sweet::ui;

class TaskPanelsTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QStringList files_;
  std::vector<RunPtr> runs_;

 private Q_SLOTS:
  void initTestCase() {
    // sst2 and rte with EE and SWEET over seeds 1 and 2; MM on sst2 only.
    for (const char* task : {"sst2", "rte"})
      for (const char* method : {"ee", "sweet", "mm"})
        for (int64_t seed : {1, 2}) {
          if (std::string(method) == "mm" && std::string(task) == "rte") continue;
          auto run = sweet::testing::randomRun(method, seed + (std::string(task) == "rte" ? 10 : 0));
          run.task = task;
          run.seed = seed;
          run.config["task"] = task;
          run.config["seed"] = seed;
          const QString path = dir_.filePath(QStringLiteral("%1-%2-s%3.h5").arg(task, method).arg(seed));
          sweet::testing::writeRun(path.toStdString(), run);
          files_ << path;
        }
    const LoadBatch batch = loadRunFiles(files_);
    QVERIFY(batch.errors.empty());
    runs_ = batch.runs;
  }

  void panels_onePerTaskAndTheAverage() {
    TaskPanelsView view;
    QVERIFY(sweet::testing::showWithRuns(view, runs_, 1200, 700));
    QCOMPARE(view.panelCount(), 3);
    QCOMPARE(view.panelTitle(0), QStringLiteral("SST-2 (accuracy)"));
    QCOMPARE(view.panelTitle(1), QStringLiteral("RTE (accuracy)"));
    QCOMPARE(view.panelTitle(2), QStringLiteral("Average over 2 tasks"));
    QCOMPARE(view.plot()->axisRectCount(), 3);
    QCOMPARE(view.model().panels()[0].curves->size(), size_t{3});  // EE, SWEET, MM
    QCOMPARE(view.model().panels()[1].curves->size(), size_t{2});
    // MM is drawn on SST-2 but not averaged, and the notes say why.
    QCOMPARE(view.model().average().size(), size_t{2});
    QCOMPARE(view.model().average()[0].label, std::string("EE"));
    QCOMPARE(view.model().average()[1].label, std::string("SWEET"));
    QVERIFY2(view.notesLabel()->text().contains(QStringLiteral("MM is in 1 of 2 tasks")), qPrintable(view.notesLabel()->text()));
    QVERIFY(view.panelsCsv().contains(QStringLiteral("\"Average over 2 tasks\",\"EE\"")));
  }

  void average_equalsTheReportsTaskAverage() {
    TaskPanelsModel model;
    model.build(runs_);
    std::vector<sweet::analysis::RunData> data;
    for (const QString& f : files_) data.push_back(sweet::analysis::loadRun(f.toStdString()));
    sweet::analysis::ReportOptions options;
    options.by = {"method", "task"};
    const auto report = sweet::analysis::buildReport(data, options);
    int compared = 0;
    for (const TaskAverageSeries& avg : model.average()) {
      const auto it = std::find_if(report.taskAverages.begin(), report.taskAverages.end(),
                                   [&](const sweet::analysis::TaskAverage& t) { return t.method == avg.method; });
      QVERIFY2(it != report.taskAverages.end(), avg.label.c_str());
      for (size_t f = 0; f < it->costFractions.size(); ++f) {
        const auto ours = taskAverageAt(avg, it->costFractions[f]);
        QCOMPARE(ours.has_value(), it->atCost[f].has_value());
        if (!ours) continue;
        QVERIFY2(std::abs(*ours - it->atCost[f]->mean) < 1e-12,
                 qPrintable(QStringLiteral("%1 at %2: %3 vs report %4").arg(QString::fromStdString(avg.label))
                                .arg(it->costFractions[f]).arg(*ours).arg(it->atCost[f]->mean)));
        ++compared;
      }
      // The drawn samples lie on the exact average.
      for (size_t k = 0; k < avg.cost.size(); k += 37) QCOMPARE(*taskAverageAt(avg, avg.cost[k]), avg.score[k]);
    }
    QVERIFY(compared >= 4);
  }

  void rawSoftmax_changesTheCurves() {
    TaskPanelsView view;
    view.setRuns(runs_);
    const QString calibrated = view.panelsCsv();
    view.setCalibrated(false);
    QCOMPARE(view.panelCount(), 3);
    QVERIFY(view.panelsCsv() != calibrated);
  }

  void export_oneFigureForAPaper() {
    TaskPanelsView view;
    QVERIFY(sweet::testing::showWithRuns(view, runs_, 1200, 700));
    view.setPanelColumns(2);  // a one-column figure: two panels a row
    ExportOptions options;
    options.size = FigureSize::OneColumn;
    const QString pdf = dir_.filePath("tasks.pdf");
    QString error;
    QVERIFY2(exportPlot(view.plot(), pdf, options, &error), qPrintable(error));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(5) == "%PDF-");
    QVERIFY(f.size() > 2000);
  }

  void oneTask_noAveragePanel() {
    std::vector<RunPtr> sst2;
    for (const RunPtr& r : runs_)
      if (r->data.task == "sst2") sst2.push_back(r);
    TaskPanelsView view;
    view.setRuns(sst2);
    QCOMPARE(view.panelCount(), 1);
    QVERIFY(view.model().average().empty());
    view.setRuns({});
    QCOMPARE(view.panelCount(), 0);
    QVERIFY(view.notesLabel()->text().contains(QStringLiteral("Open evaluated runs")));
  }
};

QTEST_MAIN(TaskPanelsTest)
#include "test_task_panels.moc"
