// Table 1 widget: see exit_table_view.h.
#include "ui/counted.h"
#include "ui/exit_table_view.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTextStream>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sweet::ui {
namespace {

constexpr int kSortRole = Qt::UserRole + 1;
constexpr int kGapRole = Qt::UserRole + 2;  // gap rows stay below the methods when sorting
constexpr int kStdRole = Qt::UserRole + 3;  // the seed std, for exports in the CLI's format

// Sorts by the numeric mean rather than the "0.81 ± 0.01" text; gap rows always last.
class NumericItem : public QTableWidgetItem {
 public:
  using QTableWidgetItem::QTableWidgetItem;
  bool operator<(const QTableWidgetItem& other) const override {
    const bool gapA = data(kGapRole).toBool(), gapB = other.data(kGapRole).toBool();
    const Qt::SortOrder order = tableWidget() ? tableWidget()->horizontalHeader()->sortIndicatorOrder()
                                              : Qt::AscendingOrder;
    if (gapA != gapB) return order == Qt::AscendingOrder ? gapB : gapA;
    const QVariant a = data(kSortRole), b = other.data(kSortRole);
    if (a.isValid() && b.isValid()) return a.toDouble() < b.toDouble();
    if (a.isValid() != b.isValid()) return b.isValid();
    return text() < other.text();
  }
};

QString fmt(double v) { return QString::number(v, 'f', 4); }

// The steps of a group's runs that show an interim evaluation (a run stopped, failed or
// still training); empty when every run's evaluation is final.
std::vector<int64_t> interimSteps(const analysis::GroupReport& g, const std::vector<RunPtr>& runs) {
  std::vector<int64_t> steps;
  for (const std::string& path : g.runPaths)
    for (const RunPtr& r : runs)
      if (r->data.path == path && !r->data.evalDone) steps.push_back(r->data.evalStep);
  return steps;
}

// "rte sweet−ee gap", with the model and/or cap when another gap row of the same task and
// method differs in them (the gap is taken per model, task and cap).
QString gapLabel(const std::vector<analysis::MethodGap>& gaps, size_t i) {
  const analysis::MethodGap& gap = gaps[i];
  bool models = false, caps = false;
  for (const analysis::MethodGap& other : gaps)
    if (other.task == gap.task && other.method == gap.method) {
      models |= other.model != gap.model;
      caps |= other.trainCap != gap.trainCap;
    }
  QString label = QString::fromStdString(gap.task + " " + gap.method + "−ee gap");
  QStringList keys;
  if (models) keys << QString::fromStdString(gap.model);
  if (caps) keys << (gap.trainCap > 0 ? QStringLiteral("cap %1").arg(gap.trainCap) : QStringLiteral("no cap"));
  return keys.isEmpty() ? label : label + QStringLiteral(" (") + keys.join(QStringLiteral(", ")) + QLatin1Char(')');
}

QString latexEscape(QString s) {
  s.replace('\\', "\\textbackslash{}").replace('_', "\\_").replace('%', "\\%").replace('&', "\\&").replace('#', "\\#");
  return s;
}

}  // namespace

ExitTableView::ExitTableView(QWidget* parent)
    : QWidget(parent),
      builds_(
          this, [](const Request& r, const std::function<bool()>& stop) { return build(r.runs, r.calibrated, stop); },
          [this](std::shared_ptr<ExitTableContent> content) { showContent(*content); },
          // build() turns the report's refusal into content; anything else is a bug to see
          [this](const QString& message) { notes_->setText(tr("Cannot build the table: %1").arg(message)); }) {
  table_ = new QTableWidget(this);
  table_->setToolTip(tr("Per-exit scores (each exit alone on the whole eval set): seed mean ± sample std; "
                        "best per column in bold; click a header to sort"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSortingEnabled(true);
  // Row headers are labels of any length: elided (whole in their tooltips) within a share
  // of the width, so the exit columns always fit without horizontal scrolling.
  table_->verticalHeader()->setTextElideMode(Qt::ElideRight);
  auto* csv = new QPushButton(tr("Copy as CSV"), this);
  csv->setToolTip(tr("Copy the table, in its current order, to the clipboard as CSV"));
  auto* latex = new QPushButton(tr("Copy as LaTeX"), this);
  latex->setToolTip(tr("Copy the table to the clipboard as a LaTeX tabular (booktabs)"));
  connect(csv, &QPushButton::clicked, this, &ExitTableView::copyCsv);
  connect(latex, &QPushButton::clicked, this, &ExitTableView::copyLatex);
  notes_ = new QLabel(this);
  notes_->setWordWrap(true);
  notes_->setToolTip(tr("How seeds were pooled, and warnings about the runs"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(csv);
  buttons->addWidget(latex);
  buttons->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);
  layout->addWidget(notes_);
}

void ExitTableView::resizeEvent(QResizeEvent* event) {
  table_->verticalHeader()->setMaximumWidth(std::max(200, width() * 2 / 5));
  QWidget::resizeEvent(event);
}

void ExitTableView::setCalibrated(bool calibrated) {
  calibrated_ = calibrated;
  setRuns(runs_);
}

void ExitTableView::setRuns(const std::vector<RunPtr>& runs) {
  runs_ = runs;
  if (async_) return builds_.request({runs, calibrated_});
  builds_.cancel();  // an older asynchronous request must not overwrite this one
  showContent(*build(runs, calibrated_));
}

bool ExitTableView::waitForTable(int timeoutMs) {
  return waitUntilIdle([this] { return builds_.busy(); }, timeoutMs);
}

std::shared_ptr<ExitTableContent> ExitTableView::build(const std::vector<RunPtr>& runs, bool calibrated,
                                                       const std::function<bool()>& stop) {
  auto content = std::make_shared<ExitTableContent>();
  content->runs = runs;
  std::vector<analysis::RunData> data;
  for (const RunPtr& r : runs) {
    if (stop && stop()) return content;
    if (r->data.hasEvaluation()) data.push_back(r->data);
  }
  if (data.empty()) return content;
  try {
    analysis::ReportOptions options;
    options.includeInterim = true;  // the table grows while a run trains
    options.calibrate = calibrated;
    options.stop = stop;  // a window closed mid-build waited ~0.5 s for 20 large runs' fits
    content->report = analysis::buildReport(data, options);
  } catch (const std::exception& e) {
    content->error = e.what();
  }
  return content;
}

void ExitTableView::showContent(const ExitTableContent& content) {
  const std::vector<RunPtr>& runs = content.runs;
  table_->setSortingEnabled(false);
  table_->clear();
  table_->setRowCount(0);
  table_->setColumnCount(0);
  QStringList waiting;
  for (const RunPtr& r : runs)
    if (!r->data.hasEvaluation())
      waiting << tr("%1: no evaluation yet (%2)").arg(QString::fromStdString(r->data.runName),
                                                     QString::fromStdString(analysis::unfinishedReason(r->data)));
  if (!content.error.empty()) {
    notes_->setText((QStringList{tr("Cannot build the table: %1").arg(QString::fromStdString(content.error))} + waiting)
                        .join(QLatin1Char('\n')));
    return;
  }
  if (!content.report) {
    notes_->setText((QStringList{tr("No evaluated runs loaded.")} + waiting).join(QLatin1Char('\n')));
    return;
  }
  const analysis::Report& report = *content.report;
  size_t exits = 0;
  for (const auto& g : report.groups) exits = std::max(exits, g.exitLayers.size());
  table_->setColumnCount(static_cast<int>(exits));
  QStringList headers;
  const auto& layers = report.groups.front().exitLayers;
  for (size_t e = 0; e < exits; ++e)
    headers << (e < layers.size() ? tr("exit %1 (L%2)").arg(e + 1).arg(layers[e]) : tr("exit %1").arg(e + 1));
  table_->setHorizontalHeaderLabels(headers);

  const int averageRows = static_cast<int>(report.taskAverages.size());
  const int groupRows = static_cast<int>(report.groups.size()) + averageRows;
  table_->setRowCount(groupRows + static_cast<int>(report.gaps.size()));
  // The paper's task averages (Table 1's last rows): each cell's tooltip has every task's
  // own value, so the per-task numbers are one hover away.
  for (int a = 0; a < averageRows; ++a) {
    const analysis::TaskAverage& avg = report.taskAverages[static_cast<size_t>(a)];
    const int r = static_cast<int>(report.groups.size()) + a;
    QString head = tr("average of %1 tasks: %2 %3").arg(avg.tasks.size()).arg(QString::fromStdString(avg.method).toUpper(),
                                                                                 QString::fromStdString(avg.model));
    if (!avg.seeds.empty()) head += " (" + counted(static_cast<qint64>(avg.seeds.size()), tr("seed"), tr("seeds")) + ")";
    table_->setVerticalHeaderItem(r, new NumericItem(head));
    for (size_t e = 0; e < avg.perExit.size() && e < exits; ++e) {
      const auto& sm = avg.perExit[e];
      auto* item = new NumericItem(fmt(sm.mean) + (sm.std ? QStringLiteral(" ± ") + fmt(*sm.std) : QString()));
      item->setData(kSortRole, sm.mean);
      if (sm.std) item->setData(kStdRole, *sm.std);
      QStringList perTask;
      for (size_t t = 0; t < avg.tasks.size(); ++t)
        perTask << QStringLiteral("%1: %2").arg(QString::fromStdString(avg.tasks[t])).arg(fmt(avg.perExitByTask[t][e]));
      item->setToolTip(tr("Mean over tasks of each task's score (CoLA: MCC)\n") + perTask.join(QLatin1Char('\n')));
      QFont f = item->font();
      f.setUnderline(true);
      item->setFont(f);
      table_->setItem(r, static_cast<int>(e), item);
    }
  }
  // Only final evaluations compete for a column's best: an interim score (a stopped run's,
  // or one still training) is not a result yet.
  std::vector<double> best(exits, -INFINITY);
  for (const auto& g : report.groups)
    if (interimSteps(g, runs).empty())
      for (size_t e = 0; e < g.perExit.size(); ++e) best[e] = std::max(best[e], g.perExit[e].mean);
  for (int r = 0; r < static_cast<int>(report.groups.size()); ++r) {
    const auto& g = report.groups[static_cast<size_t>(r)];
    const std::vector<int64_t> interim = interimSteps(g, runs);
    QString label = QString::fromStdString(g.label) + " (" + counted(static_cast<qint64>(g.seeds.size()), tr("seed"), tr("seeds"));
    QString interimTip;
    if (!interim.empty()) {
      QStringList steps;
      for (int64_t step : interim) steps << QString::number(step);
      label += tr(", interim at step %1").arg(steps.join(QStringLiteral("/")));
      interimTip = tr("Interim evaluation (the run has not finished): not final, and not compared for the column's best");
    }
    auto* head = new NumericItem(label + QLatin1Char(')'));
    head->setToolTip(interimTip);
    table_->setVerticalHeaderItem(r, head);
    for (size_t e = 0; e < g.perExit.size(); ++e) {
      const auto& s = g.perExit[e];
      QString text = fmt(s.mean) + (s.std ? QStringLiteral(" ± ") + fmt(*s.std) : QString());
      auto* item = new NumericItem(text);
      item->setData(kSortRole, s.mean);
      if (s.std) item->setData(kStdRole, *s.std);
      if (!interim.empty()) {
        item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        item->setToolTip(interimTip);
      } else if (s.mean == best[e]) {
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
      }
      table_->setItem(r, static_cast<int>(e), item);
    }
  }
  for (size_t i = 0; i < report.gaps.size(); ++i) {
    const auto& gap = report.gaps[i];
    const int r = groupRows + static_cast<int>(i);
    table_->setVerticalHeaderItem(r, new QTableWidgetItem(gapLabel(report.gaps, i)));
    for (size_t e = 0; e < gap.perExit.size(); ++e) {
      auto* item = new NumericItem(gap.perExit[e] ? QString::asprintf("%+.4f", *gap.perExit[e]) : QStringLiteral("—"));
      if (gap.perExit[e]) item->setData(kSortRole, *gap.perExit[e]);
      item->setData(kGapRole, true);
      QFont f = item->font();
      f.setItalic(true);
      item->setFont(f);
      table_->setItem(r, static_cast<int>(e), item);
    }
  }
  for (int r = 0; r < table_->rowCount(); ++r)
    if (QTableWidgetItem* head = table_->verticalHeaderItem(r)) head->setToolTip(head->text());
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setSortingEnabled(true);
  QString notes = tr("Seeds pooled over %1.").arg(QString::fromStdString(report.grouping));
  if (!report.calibrationSummary.empty()) notes += "\n" + QString::fromStdString(report.calibrationSummary);
  for (const auto& n : report.notes) notes += "\n" + QString::fromStdString(n);
  for (const auto& w : waiting) notes += "\n" + w;
  notes_->setText(notes);
}

QString ExitTableView::toCsv() const {
  QString out;
  QTextStream s(&out);
  s << "row";
  for (int c = 0; c < table_->columnCount(); ++c) s << ",\"" << table_->horizontalHeaderItem(c)->text() << '"';
  s << '\n';
  for (int r = 0; r < table_->rowCount(); ++r) {
    s << '"' << (table_->verticalHeaderItem(r) ? table_->verticalHeaderItem(r)->text() : QString()) << '"';
    for (int c = 0; c < table_->columnCount(); ++c) {
      const QTableWidgetItem* item = table_->item(r, c);
      s << ",\"" << (item ? item->text() : QString()) << '"';
    }
    s << '\n';
  }
  return out;
}

QString ExitTableView::toLatex() const {
  QString out;
  QTextStream s(&out);
  s << "% SWEET Workbench per-exit table (needs \\usepackage{booktabs}); scores x100, mean $\\pm$ std over seeds\n";
  s << "\\begin{tabular}{l" << QString(table_->columnCount(), 'r') << "}\n\\toprule\n";
  s << "Method";
  for (int c = 0; c < table_->columnCount(); ++c) s << " & " << latexEscape(table_->horizontalHeaderItem(c)->text());
  s << " \\\\\n\\midrule\n";
  bool gapsStarted = false;
  for (int r = 0; r < table_->rowCount(); ++r) {
    const QTableWidgetItem* first = table_->item(r, 0);
    if (first && first->data(kGapRole).toBool() && !gapsStarted) s << "\\midrule\n", gapsStarted = true;
    QString head = table_->verticalHeaderItem(r) ? table_->verticalHeaderItem(r)->text() : QString();
    s << latexEscape(head.replace(QStringLiteral("−"), QStringLiteral("$-$")));
    for (int c = 0; c < table_->columnCount(); ++c) {
      // The CLI's LaTeX scale and signs: scores x100 to one decimal, gaps signed.
      const QTableWidgetItem* item = table_->item(r, c);
      QString text = QStringLiteral("--");
      if (item && item->data(kSortRole).isValid()) {
        const double v = 100 * item->data(kSortRole).toDouble();
        if (item->data(kGapRole).toBool()) {
          text = QString::asprintf("%+.1f", v).replace(QLatin1Char('-'), QStringLiteral("$-$"));
        } else {
          text = QString::asprintf("%.1f", v);
          if (item->data(kStdRole).isValid()) text += QString::asprintf(" $\\pm$ %.1f", 100 * item->data(kStdRole).toDouble());
        }
      }
      if (item && item->font().bold()) text = "\\textbf{" + text + "}";
      s << " & " << text;
    }
    s << " \\\\\n";
  }
  s << "\\bottomrule\n\\end{tabular}\n";
  return out;
}

void ExitTableView::copyCsv() const { QApplication::clipboard()->setText(toCsv()); }
void ExitTableView::copyLatex() const { QApplication::clipboard()->setText(toLatex()); }

}  // namespace sweet::ui
