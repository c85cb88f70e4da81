// Per-exit table: one row per method group plus gap rows, bold best per column, sorting
// keeps gaps last, and the CSV/LaTeX copies carry the shown cells.
#include "ui/exit_table_view.h"
#include "ui_fixtures.h"

#include <QHeaderView>
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
