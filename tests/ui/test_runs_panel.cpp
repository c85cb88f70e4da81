// Comparing many runs as a user does, through the main window: 24 runs of two tasks, three
// methods, two learning rates and two seeds open at once; the runs panel filters, hides,
// groups and renames, the curve view switches task. Labels name only what varies among
// the shown series, no curve of another task is drawn, and the legend never covers the
// axes (on screen and at a paper export's size).
#include "ui/curve_view.h"
#include "ui/exit_table_view.h"
#include "ui/main_window.h"
#include "ui/plot_export.h"
#include "ui/qcustomplot_include.h"
#include "ui/runs_panel.h"
#include "comparison_runs.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTabWidget>
#include <QScrollBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <set>

using namespace sweet::ui;

namespace {

std::vector<std::string> labels(const CurveView& view) {
  std::vector<std::string> out;
  for (const auto& s : view.model().series()) out.push_back(s->label);
  return out;
}

QString describe(const std::vector<std::string>& strings) {
  QStringList out;
  for (const auto& s : strings) out << QString::fromStdString(s);
  return out.join(QStringLiteral(" | "));
}

// Every part of every label is one of `allowed` (what varies), and each label has them all
// once: "EE · lr 2e-5".
bool hasLabel(const CurveView& view, const std::string& label) {
  const std::vector<std::string> all = labels(view);
  return std::find(all.begin(), all.end(), label) != all.end();
}

bool labelsUseOnly(const std::vector<std::string>& shown, const std::set<std::string>& allowedParts, size_t partsPerLabel) {
  for (const std::string& label : shown) {
    const QStringList parts = QString::fromStdString(label).split(QStringLiteral(" · "));
    if (static_cast<size_t>(parts.size()) != partsPerLabel) return false;
    for (const QString& p : parts)
      if (!allowedParts.count(p.toStdString())) return false;
  }
  return true;
}

std::set<std::string> methodsAndRates() {
  return {"EE", "SWEET", "MM", "lr 2e-5", "lr 5e-5"};
}

// The legend lies outside the axis rect and inside the plot, in the layout last computed.
bool legendClear(QCustomPlot* plot, QString* why) {
  const QRect legend = plot->legend->outerRect();
  const QRect axes = plot->axisRect()->rect();
  *why = QStringLiteral("legend %1,%2 %3x%4; axes %5,%6 %7x%8; viewport %9x%10")
             .arg(legend.x()).arg(legend.y()).arg(legend.width()).arg(legend.height())
             .arg(axes.x()).arg(axes.y()).arg(axes.width()).arg(axes.height())
             .arg(plot->viewport().width()).arg(plot->viewport().height());
  return plot->legend->visible() && !legend.intersects(axes) && plot->viewport().contains(legend);
}

void selectTask(CurveView* view, const QString& task) {
  const int index = view->taskSelector()->findText(task);
  QVERIFY2(index >= 0, qPrintable(task));
  view->taskSelector()->setCurrentIndex(index);
  QVERIFY(view->waitForCurves());  // the window's view builds its curves on a worker
}

QTreeWidgetItem* groupRowLabelled(RunsPanel* panel, const QString& task, const QString& label) {
  QTreeWidgetItem* taskRow = panel->row(RunsPanel::TaskRow, task);
  for (int g = 0; taskRow && g < taskRow->childCount(); ++g)
    if (taskRow->child(g)->text(0) == label) return taskRow->child(g);
  return nullptr;
}

// Renames a group as a person does: double-click its name, type, press Enter.
void renameByTyping(QTreeWidget* tree, QTreeWidgetItem* item, const QString& name) {
  tree->scrollToItem(item);
  tree->editItem(item, 0);
  auto* editor = qobject_cast<QLineEdit*>(QApplication::focusWidget());
  QVERIFY(editor);
  editor->selectAll();
  QTest::keyClicks(editor, name);
  QTest::keyClick(editor, Qt::Key_Return);
}

}  // namespace

class RunsPanelTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QStringList files_;

  // A shown window with the 24 runs loaded and the curves drawn.
  void open(MainWindow& window) {
    window.setConfirmClose(false);
    window.resize(1500, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openRunFiles(files_);
    QTRY_COMPARE_WITH_TIMEOUT(window.store()->runs().size(), size_t{24}, 30000);
    QTRY_VERIFY(window.curveView()->seriesCount() > 0);
    QVERIFY(window.curveView()->waitForCurves());  // every load's curves, not the first batch's
  }

 private Q_SLOTS:
  void initTestCase() {
    sweet::testing::isolateSettings(QStringLiteral("sweet-workbench-runs-panel-test"));
    QVERIFY(dir_.isValid());
    files_ = sweet::testing::writeComparisonRuns(dir_.path());
    QCOMPARE(files_.size(), 24);
    if (qEnvironmentVariableIsSet("SWEET_KEEP_RUNS"))  // to open them in the workbench by hand
      sweet::testing::writeComparisonRuns(qEnvironmentVariable("SWEET_KEEP_RUNS"));
  }

  // Issue 25's study: seven remedies, three seeds each. The legend reads like the report's
  // rows (method, then only the remedy that sets a run apart), not "EE · α 1 · weights
  // uniform" or "PCGRAD"; SWEET's cut is "α 0", not the JSON "α 0.0".
  void conflictRemedyStudy_legendNamesEachRemedyOnce() {
    QTemporaryDir study;
    const QStringList files = sweet::testing::writeConflictRemedyRuns(study.path());
    QCOMPARE(files.size(), 21);
    if (qEnvironmentVariableIsSet("SWEET_KEEP_RUNS")) {  // to open them in the workbench by hand
      const QString kept = qEnvironmentVariable("SWEET_KEEP_RUNS") + QStringLiteral("/remedies");
      QVERIFY(QDir().mkpath(kept));
      sweet::testing::writeConflictRemedyRuns(kept);
    }
    MainWindow window;
    window.setConfirmClose(false);
    window.resize(1500, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openRunFiles(files);
    QTRY_COMPARE_WITH_TIMEOUT(window.store()->runs().size(), size_t{21}, 30000);
    QTRY_COMPARE(window.curveView()->seriesCount(), size_t{7});
    const std::vector<std::string> expected = {"EE · α 0", "EE · α 0.25", "EE · α 0.5", "EE · α 0.75",
                                               "EE",       "PCGrad",      "EE · weights layer"};
    QVERIFY2(labels(*window.curveView()) == expected, qPrintable(describe(labels(*window.curveView()))));
    // The plot's legend says the same, with the seeds pooled.
    QCustomPlot* plot = window.curveView()->plot();
    QStringList legend;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
      if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i))) legend << item->plottable()->name();
    for (const std::string& label : expected)
      QVERIFY2(legend.contains(QString::fromStdString(label) + QStringLiteral(" (3 seeds)")), qPrintable(legend.join(" | ")));
    const QString caption = window.curveView()->captionLabel()->text();
    QVERIFY2(!caption.contains(QStringLiteral("α")) && !caption.contains(QStringLiteral("weights")), qPrintable(caption));
  }

  void emptyWindow_hintsHowToOpenRuns() {
    MainWindow window;
    window.setConfirmClose(false);
    QVERIFY(window.curveView()->emptyHint()->visible());
    QVERIFY(window.curveView()->emptyHint()->text().contains(QStringLiteral("Ctrl+O")));
    // The hint sits in full-size axes (an empty legend row once squeezed them to ~50 px).
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCustomPlot* plot = window.curveView()->plot();
    plot->replot();
    QVERIFY2(plot->axisRect()->rect().width() > plot->width() / 2,
             qPrintable(QStringLiteral("axes %1 of %2 px").arg(plot->axisRect()->rect().width()).arg(plot->width())));
    open(window);
    QVERIFY(!window.curveView()->emptyHint()->visible());
  }

  void twentyFourRuns_oneTaskPerPlotLabelledByWhatVaries() {
    MainWindow window;
    open(window);
    CurveView* view = window.curveView();
    QCOMPARE(view->taskSelector()->count(), 2);
    for (const QString task : {QStringLiteral("rte"), QStringLiteral("sst2")}) {
      selectTask(view, task);
      QCOMPARE(view->seriesCount(), size_t{6});  // 3 methods x 2 learning rates, seeds pooled
      for (const auto& s : view->model().series()) {
        QCOMPARE(s->runs.size(), size_t{2});
        for (const RunPtr& run : s->runs) QCOMPARE(QString::fromStdString(run->data.task), task);
      }
      QVERIFY2(labelsUseOnly(labels(*view), methodsAndRates(), 2), qPrintable(describe(labels(*view))));
      // The shared keys are said once, above the plot.
      const QString caption = view->captionLabel()->text();
      QVERIFY2(caption.contains(task) && caption.contains(QStringLiteral("cap 2000")) &&
                   caption.contains(QStringLiteral("bert-base-uncased")) && !caption.contains(QStringLiteral("lr ")),
               qPrintable(caption));
    }
    // The panel lists every run under its task and group, with its keys as columns.
    QTreeWidget* tree = window.runsPanel()->tree();
    QCOMPARE(tree->topLevelItemCount(), 2);
    QStringList headers;
    for (int c = 0; c < tree->columnCount(); ++c) headers << tree->headerItem()->text(c);
    QVERIFY2(headers.contains(QStringLiteral("lr")) && headers.contains(QStringLiteral("seed")) &&
                 headers.contains(QStringLiteral("method")) && headers.contains(QStringLiteral("Status")),
             qPrintable(headers.join(',')));
    QVERIFY(window.runsPanel()->row(RunsPanel::RunRow, files_.front()));
  }

  void legend_staysOutsideTheAxesOnScreenAndInExports() {
    MainWindow window;
    open(window);
    QCustomPlot* plot = window.curveView()->plot();
    plot->replot();
    QString why;
    QVERIFY2(legendClear(plot, &why), qPrintable(why));
    plot->toPixmap(252, 187, 1.0);  // laid out at one-column size, as the export does
    QVERIFY2(legendClear(plot, &why), qPrintable(why));
    plot->toPixmap(504, 216, 1.0);  // two columns
    QVERIFY2(legendClear(plot, &why), qPrintable(why));
    if (qEnvironmentVariableIsSet("SWEET_KEEP_EXPORT")) {  // to look at it
      ExportOptions o;
      o.dpi = 216;
      exportPlot(plot, qEnvironmentVariable("SWEET_KEEP_EXPORT"), o);
    }
  }

  void filterHideGroupRename_followedByTheCurves() {
    MainWindow window;
    open(window);
    CurveView* view = window.curveView();
    RunsPanel* panel = window.runsPanel();
    selectTask(view, QStringLiteral("rte"));

    // Filter: only SWEET runs; the method no longer varies, so labels drop it.
    panel->filterEdit()->setText(QStringLiteral("sweet"));
    QVERIFY(view->waitForCurves());
    QCOMPARE(view->seriesCount(), size_t{2});
    QVERIFY2(labelsUseOnly(labels(*view), {"lr 2e-5", "lr 5e-5"}, 1), qPrintable(describe(labels(*view))));
    QVERIFY(view->captionLabel()->text().contains(QStringLiteral("SWEET")));
    panel->filterEdit()->clear();
    QVERIFY(view->waitForCurves());
    QCOMPARE(view->seriesCount(), size_t{6});

    // Hide a group (a click on its box), then one seed of another.
    QTreeWidgetItem* group = groupRowLabelled(panel, QStringLiteral("rte"), QStringLiteral("EE · lr 5e-5"));
    QVERIFY(group);
    group->setCheckState(0, Qt::Unchecked);
    QVERIFY(view->waitForCurves());
    QCOMPARE(view->seriesCount(), size_t{5});
    QVERIFY(!hasLabel(*view, "EE · lr 5e-5"));
    const QString oneSeed = QDir(dir_.path()).filePath(QStringLiteral("rte-sweet-lr2e-5-s2.h5"));
    QTRY_VERIFY(panel->row(RunsPanel::RunRow, oneSeed));
    panel->row(RunsPanel::RunRow, oneSeed)->setCheckState(0, Qt::Unchecked);
    QVERIFY(view->waitForCurves());
    bool found = false;
    for (const auto& s : view->model().series())
      if (s->label == "SWEET · lr 2e-5") {
        found = true;
        QCOMPARE(s->runs.size(), size_t{1});
      }
    QVERIFY(found);
    QTRY_COMPARE(panel->row(RunsPanel::TaskRow, QStringLiteral("rte"))->checkState(0), Qt::PartiallyChecked);

    // Rename a group by typing its name: legends and the fixed-cost table use it.
    QTreeWidgetItem* ee = nullptr;
    QTRY_VERIFY((ee = groupRowLabelled(panel, QStringLiteral("rte"), QStringLiteral("EE · lr 2e-5"))));
    renameByTyping(panel->tree(), ee, QStringLiteral("Baseline"));
    QTRY_VERIFY(hasLabel(*view, "Baseline"));
    QStringList legend;
    for (int i = 0; i < view->plot()->legend->itemCount(); ++i)  // cells of the last row may be empty
      if (auto* item = qobject_cast<QCPPlottableLegendItem*>(view->plot()->legend->item(i))) legend << item->plottable()->name();
    QVERIFY2(legend.contains(QStringLiteral("Baseline (2 seeds)")), qPrintable(legend.join('|')));
    QStringList rows;
    for (int r = 0; r < view->fixedRatioTable()->rowCount(); ++r) rows << view->fixedRatioTable()->verticalHeaderItem(r)->text();
    QVERIFY2(rows.contains(QStringLiteral("Baseline")), qPrintable(rows.join('|')));

    // The other task: none of rte's runs, its own names.
    selectTask(view, QStringLiteral("sst2"));
    QCOMPARE(view->seriesCount(), size_t{6});
    for (const auto& s : view->model().series())
      for (const RunPtr& run : s->runs) QCOMPARE(QString::fromStdString(run->data.task), QStringLiteral("sst2"));
    QVERIFY2(labelsUseOnly(labels(*view), methodsAndRates(), 2), qPrintable(describe(labels(*view))));
  }

  void groupBy_poolsWhatIsNotChosen() {
    MainWindow window;
    open(window);
    CurveView* view = window.curveView();
    selectTask(view, QStringLiteral("sst2"));
    // Group by the model only (every run shares it): learning rates pool with the seeds.
    QAction* byModel = nullptr;
    for (QAction* a : window.runsPanel()->groupByMenu()->actions())
      if (a->data().toString() == QStringLiteral("model")) byModel = a;
    QVERIFY(byModel);
    byModel->trigger();
    QVERIFY(view->waitForCurves());
    QCOMPARE(view->seriesCount(), size_t{3});
    for (const auto& s : view->model().series()) QCOMPARE(s->runs.size(), size_t{4});
    QVERIFY2(labelsUseOnly(labels(*view), {"EE", "SWEET", "MM"}, 1), qPrintable(describe(labels(*view))));
    // Back to the default: seeds pooled, learning rates apart.
    window.runsPanel()->groupByMenu()->actions().front()->trigger();
    QVERIFY(view->waitForCurves());
    QCOMPARE(view->seriesCount(), size_t{6});
  }

  void longLabels_elidedWithTheWholeTextOnHover() {
    MainWindow window;
    open(window);
    CurveView* view = window.curveView();
    RunsPanel* panel = window.runsPanel();
    selectTask(view, QStringLiteral("rte"));
    const QString longName = QStringLiteral("EE baseline with a very long description: calibration_size=400 epochs=4 "
                                            "eval_every=50 gradients.every=10 warmup=0.1 pooler=shared");
    QTreeWidgetItem* ee = groupRowLabelled(panel, QStringLiteral("rte"), QStringLiteral("EE · lr 2e-5"));
    QVERIFY(ee);
    renameByTyping(panel->tree(), ee, longName);
    QTRY_VERIFY(hasLabel(*view, longName.toStdString()));
    size_t index = 0;
    while (view->model().series()[index]->label != longName.toStdString()) ++index;

    // Legend: elided, still outside the axes, the whole label on hover.
    QCustomPlot* plot = view->plot();
    plot->replot();
    QString why;
    QVERIFY2(legendClear(plot, &why), qPrintable(why));
    QCPPlottableLegendItem* entry = nullptr;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
      if (auto* e = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i)); e && e->plottable()->name().startsWith(longName))
        entry = e;
    QVERIFY(entry);
    QVERIFY2(entry->outerRect().width() < plot->width() / 2,
             qPrintable(QStringLiteral("entry %1 px wide, plot %2").arg(entry->outerRect().width()).arg(plot->width())));
    QCOMPARE(view->legendToolTip(entry->outerRect().center()), entry->plottable()->name());
    QVERIFY(view->legendToolTip(plot->axisRect()->rect().center()).isEmpty());

    // Threshold box: the label cut to fit, the whole of it in the tooltip.
    const QDoubleSpinBox* spin = view->thresholdSpin(index);
    QVERIFY2(!spin->prefix().contains(longName), qPrintable(spin->prefix()));
    QVERIFY(spin->toolTip().contains(longName));

    // Fixed-cost table: no horizontal scrolling, the row header elided with its tooltip.
    QTableWidget* table = view->fixedRatioTable();
    QVERIFY2(table->verticalHeader()->width() <= 240, qPrintable(QString::number(table->verticalHeader()->width())));
    QTRY_COMPARE(table->horizontalScrollBar()->maximum(), 0);
    QCOMPARE(table->verticalHeaderItem(static_cast<int>(index))->toolTip(), longName);
  }

  // Table 1 of all 24 runs in a narrow window: every column visible without scrolling,
  // each row's whole label in its header's tooltip.
  void exitTable_fitsANarrowWindow() {
    MainWindow window;
    open(window);
    window.resize(760, 700);
    window.tabs()->setCurrentWidget(window.tableView());
    QTableWidget* table = window.tableView()->table();
    QVERIFY(window.tableView()->waitForTable());  // the report is built on a worker thread
    QTRY_VERIFY(table->rowCount() > 0);
    QTest::qWait(50);
    QTRY_COMPARE(table->horizontalScrollBar()->maximum(), 0);
    QVERIFY2(table->verticalHeader()->width() <= window.tableView()->width() / 2,
             qPrintable(QStringLiteral("%1 of %2").arg(table->verticalHeader()->width()).arg(window.tableView()->width())));
    for (int r = 0; r < table->rowCount(); ++r)
      QCOMPARE(table->verticalHeaderItem(r)->toolTip(), table->verticalHeaderItem(r)->text());
  }
};

QTEST_MAIN(RunsPanelTest)
#include "test_runs_panel.moc"
