// Per-exit table: one row per method group plus gap rows, bold best per column, sorting
// keeps gaps last, and the CSV/LaTeX copies carry the shown cells.
#include "ui/exit_table_view.h"
#include "ui_fixtures.h"

#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace sweet::ui;

class ExitTableTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::vector<RunPtr> runs_;

 private Q_SLOTS:
  void initTestCase() { runs_ = loadRunFiles(sweet::testing::writeFixtureRuns(dir_.path())).runs; }

  void table_hasGroupsGapsAndBoldBest() {
    ExitTableView view;
    view.setRuns(runs_);
    QTableWidget* t = view.table();
    QCOMPARE(t->columnCount(), 4);
    QCOMPARE(t->rowCount(), 5);  // ee, sweet, mm + mm−ee, sweet−ee
    for (int c = 0; c < t->columnCount(); ++c) {
      double best = -1;
      int bold = 0;
      for (int r = 0; r < 3; ++r) best = std::max(best, t->item(r, c)->data(Qt::UserRole + 1).toDouble());
      for (int r = 0; r < 3; ++r)
        if (t->item(r, c)->font().bold()) {
          ++bold;
          QCOMPARE(t->item(r, c)->data(Qt::UserRole + 1).toDouble(), best);
        }
      QVERIFY(bold >= 1);
    }
    QVERIFY(t->item(0, 0)->text().contains(QStringLiteral("±")));  // two seeds: a std
    QVERIFY(t->verticalHeaderItem(3)->text().contains(QStringLiteral("gap")));
  }

  void sort_keepsGapRowsLast() {
    ExitTableView view;
    view.setRuns(runs_);
    QTableWidget* t = view.table();
    for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
      t->sortItems(1, order);
      t->horizontalHeader()->setSortIndicator(1, order);
      for (int r = 0; r < 3; ++r) QVERIFY(!t->item(r, 1)->data(Qt::UserRole + 2).toBool());
      for (int r = 3; r < 5; ++r) QVERIFY(t->item(r, 1)->data(Qt::UserRole + 2).toBool());
      const double a = t->item(0, 1)->data(Qt::UserRole + 1).toDouble(), b = t->item(2, 1)->data(Qt::UserRole + 1).toDouble();
      QVERIFY(order == Qt::AscendingOrder ? a <= b : a >= b);
    }
  }

  void twoTasks_addTaskAverageRowsWithPerTaskTooltips() {
    QTemporaryDir dir;
    std::vector<RunPtr> runs;
    QStringList paths;
    for (const char* task : {"rte", "mrpc"})
      for (const char* method : {"ee", "sweet"})
        for (int64_t seed : {1, 2}) {
          auto run = sweet::testing::randomRun(method, seed + (task[0] == 'm' ? 10 : 0));
          run.task = task;
          run.seed = seed;
          run.config["task"] = task;
          run.config["seed"] = seed;
          const QString path = dir.filePath(QStringLiteral("%1-%2-%3.h5").arg(task, method).arg(seed));
          sweet::testing::writeRun(path.toStdString(), run);
          paths << path;
        }
    ExitTableView view;
    view.setRuns(loadRunFiles(paths).runs);
    QTableWidget* t = view.table();
    QStringList heads;
    for (int r = 0; r < t->rowCount(); ++r) heads << t->verticalHeaderItem(r)->text();
    const int avgRow = static_cast<int>(heads.indexOf(QRegularExpression(QStringLiteral("average of 2 tasks: EE.*"))));
    QVERIFY2(avgRow >= 0, qPrintable(heads.join(" | ")));
    // The average is the mean of the two tasks' EE rows, and its tooltip lists both.
    double sum = 0;
    for (int r = 0; r < t->rowCount(); ++r)
      if (heads[r].contains(QStringLiteral(" ee ")) && !heads[r].contains(QStringLiteral("gap")))
        sum += t->item(r, 0)->data(Qt::UserRole + 1).toDouble();
    QVERIFY(std::abs(t->item(avgRow, 0)->data(Qt::UserRole + 1).toDouble() - sum / 2) < 1e-9);
    QVERIFY(t->item(avgRow, 0)->toolTip().contains(QStringLiteral("rte: ")));
    QVERIFY(t->item(avgRow, 0)->toolTip().contains(QStringLiteral("mrpc: ")));
  }

  // A run stopped at step 3 whose interim evaluation is perfect (as a copy of the SWEET run
  // under its own learning rate): before, its cells were bolded as each column's best.
  void stoppedRun_interimScoresMarkedNotBest() {
    auto stopped = std::make_shared<LoadedRun>(*runs_[2]);
    stopped->data.path = dir_.filePath(QStringLiteral("sweet-stopped.h5")).toStdString();
    stopped->data.config["learning_rate"] = 1e-3;
    stopped->data.learningRate = 1e-3;
    stopped->data.evalDone = false;
    stopped->data.status.state = sweet::RunState::Stopped;
    stopped->data.status.stepsDone = 3;
    stopped->data.evalStep = 3;
    stopped->data.interimEvals = 1;
    auto& eval = stopped->data.eval;
    for (int64_t e = 0; e < eval.exits; ++e)
      for (int64_t i = 0; i < eval.instances; ++i)
        for (int64_t k = 0; k < eval.classes; ++k)
          eval.logits[static_cast<size_t>((e * eval.instances + i) * eval.classes + k)] =
              k == eval.labels[static_cast<size_t>(i)] ? 5.0f : 0.0f;
    std::vector<RunPtr> runs = runs_;
    runs.push_back(stopped);
    ExitTableView view;
    view.setRuns(runs);
    QTableWidget* t = view.table();
    int row = -1;
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->verticalHeaderItem(r)->text().contains(QStringLiteral("lr=0.001"))) row = r;
    QStringList heads;
    for (int r = 0; r < t->rowCount(); ++r) heads << t->verticalHeaderItem(r)->text();
    QVERIFY2(row >= 0, qPrintable(heads.join(" | ")));
    QVERIFY2(t->verticalHeaderItem(row)->text().contains(QStringLiteral("interim at step 3")),
             qPrintable(t->verticalHeaderItem(row)->text()));
    for (int c = 0; c < t->columnCount(); ++c) {
      QCOMPARE(t->item(row, c)->data(Qt::UserRole + 1).toDouble(), 1.0);
      QVERIFY(!t->item(row, c)->font().bold());
      int bold = 0;
      for (int r = 0; r < t->rowCount(); ++r) bold += t->item(r, c) && t->item(r, c)->font().bold();
      QVERIFY(bold >= 1);  // the finished runs' best still is
    }
    // Its note names the state in words, not the file's number.
    const QString notes = view.findChild<QLabel*>()->text();
    QVERIFY2(notes.contains(QStringLiteral("not a finished run (stopped, step 3/")), qPrintable(notes));
    QVERIFY(!notes.contains(QStringLiteral("state 2")));
  }

  // The notes open with a sentence saying how seeds were pooled (it was a bare fragment).
  void notes_sayHowSeedsWerePooled() {
    ExitTableView view;
    view.setRuns(runs_);
    const QString first = view.findChild<QLabel*>()->text().section(QLatin1Char('\n'), 0, 0);
    QCOMPARE(first, QStringLiteral("Seeds pooled over runs whose configs differ only in seed, output paths and checkpoint folder."));
  }

  // EE and SWEET on two models of one task: two "demo sweet−ee gap" rows, told apart by model.
  void gapRows_ofTwoModels_namedByModel() {
    QTemporaryDir dir;
    QStringList paths;
    for (const char* model : {"/m/bert-base", "/m/bert-large"})
      for (const char* method : {"ee", "sweet"}) {
        auto run = sweet::testing::randomRun(method, 1);
        run.config["model"] = model;
        const QString path = dir.filePath(QStringLiteral("%1-%2.h5").arg(QFileInfo(model).fileName(), method));
        sweet::testing::writeRun(path.toStdString(), run);
        paths << path;
      }
    ExitTableView view;
    view.setRuns(loadRunFiles(paths).runs);
    QTableWidget* t = view.table();
    QStringList gaps;
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->verticalHeaderItem(r)->text().contains(QStringLiteral("gap"))) gaps << t->verticalHeaderItem(r)->text();
    QCOMPARE(gaps.size(), 2);
    QVERIFY2(gaps[0] != gaps[1], qPrintable(gaps.join(" | ")));
    QVERIFY(gaps.filter(QStringLiteral("bert-large")).size() == 1);
  }

  // 20 runs x 10,000 instances: the report's fits and replays take ~0.5 s, and a window
  // closed mid-build waited for all of it (the pool waits for its builds when the
  // application goes). Told to stop, the build ends before the next run's measurement.
  void closedMidBuild_stopsWithinARun() {
    QTemporaryDir dir;
    const std::vector<RunPtr> runs = loadRunFiles(sweet::testing::writeManyRuns(dir.path(), 20, 10000)).runs;
    QElapsedTimer clock;
    clock.start();
    ExitTableView whole;
    whole.setRuns(runs);  // at once: what a build costs here
    const qint64 full = clock.elapsed();
    QVERIFY2(full > 200, qPrintable(QStringLiteral("a whole build took only %1 ms: nothing to stop").arg(full)));
    auto* view = new ExitTableView;
    view->setAsync(true);
    view->setRuns(runs);
    QTest::qWait(static_cast<int>(full / 5));  // well into the build
    QVERIFY(view->computing());
    clock.restart();
    delete view;  // as the window closing does: cancel, then the pool waits for its thread
    QVERIFY(backgroundBuildPool()->waitForDone(60000));
    const qint64 waited = clock.elapsed();
    QVERIFY2(waited < std::max<qint64>(100, full / 4),
             qPrintable(QStringLiteral("closing waited %1 ms for a %2 ms build").arg(waited).arg(full)));
  }

  void copies_carryCells() {
    ExitTableView view;
    view.setRuns(runs_);
    const QString csv = view.toCsv();
    QCOMPARE(csv.count('\n'), 6);
    QVERIFY(csv.contains(view.table()->item(0, 0)->text()));
    const QString tex = view.toLatex();
    QVERIFY(tex.contains(QStringLiteral("\n\\begin{tabular}{lrrrr}")));
    QVERIFY(tex.contains(QStringLiteral("\\textbf{")));
    QVERIFY(tex.contains(QStringLiteral("$\\pm$")));
    // The CLI's scale and signs: the first cell x100 to one decimal, gaps signed.
    const QTableWidgetItem* first = view.table()->item(0, 0);
    QVERIFY(tex.contains(QString::asprintf("%.1f", 100 * first->data(Qt::UserRole + 1).toDouble())));
    QVERIFY(!tex.contains(first->text()));  // not the screen's 0-1 text
    QVERIFY(tex.contains(QRegularExpression(QStringLiteral("& (\\+|\\$-\\$)\\d+\\.\\d"))));
    QVERIFY(tex.trimmed().endsWith(QStringLiteral("\\end{tabular}")));
  }
};

QTEST_MAIN(ExitTableTest)
#include "test_exit_table.moc"
