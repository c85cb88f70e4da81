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
