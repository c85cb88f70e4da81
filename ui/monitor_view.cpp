// Queue monitor: see monitor_view.h.
#include "ui/monitor_view.h"

#include "ui/plot_style.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sweet::ui {
namespace {

enum Column { kName, kState, kProgress, kStep, kEta, kSpeed, kMessage, kColumns };

QString formatEta(double seconds) {
  if (seconds <= 0) return QStringLiteral("—");
  const int s = static_cast<int>(seconds);
  return s >= 3600 ? QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60)
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

MonitorView::MonitorView(RunQueue* queue, QWidget* parent) : QWidget(parent), queue_(queue) {
  table_ = new QTableWidget(0, kColumns, this);
  table_->setHorizontalHeaderLabels({tr("run"), tr("state"), tr("progress"), tr("step"), tr("ETA"),
                                     tr("examples/s"), tr("message")});
  table_->setToolTip(tr("Queued and finished runs; select one to see its per-exit loss curves"));
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(kMessage, QHeaderView::Stretch);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setToolTip(tr("Stop the selected run (its run file is kept, marked stopped) or drop it from the queue"));
  remove_ = new QPushButton(tr("Remove"), this);
  remove_->setToolTip(tr("Remove the selected run from the list (running runs must be stopped first)"));
  pause_ = new QPushButton(tr("Pause queue"), this);
  pause_->setCheckable(true);
  pause_->setToolTip(tr("While paused no queued run starts; running runs continue"));
  parallel_ = new QSpinBox(this);
  parallel_->setRange(1, std::max(1, QThread::idealThreadCount()));
  parallel_->setPrefix(tr("parallel runs: "));
  parallel_->setToolTip(tr("Runs trained at the same time; each gets the machine's cores divided by this number"));
  parallel_->setValue(QSettings().value(QStringLiteral("queue/parallel"), 1).toInt());
  queue_->setParallelRuns(parallel_->value());
  plot_ = new QCustomPlot(this);
  plot_->setToolTip(tr("Training loss of each exit of the selected run, per optimiser step"));
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(tr("cross-entropy loss"));
  plot_->legend->setVisible(true);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(stop_);
  buttons->addWidget(remove_);
  buttons->addStretch();
  buttons->addWidget(pause_);
  buttons->addWidget(parallel_);
  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addWidget(table_);
  topLayout->addLayout(buttons);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(top);
  split->addWidget(plot_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  connect(stop_, &QPushButton::clicked, this, [this] {
    if (const int id = selectedRunId()) queue_->stop(id);
  });
  connect(remove_, &QPushButton::clicked, this, [this] {
    if (const int id = selectedRunId()) queue_->remove(id);
  });
  connect(pause_, &QPushButton::toggled, queue_, &RunQueue::setPaused);
  connect(queue_, &RunQueue::pausedChanged, this, [this](bool paused) {
    const QSignalBlocker block(pause_);
    pause_->setChecked(paused);
    pause_->setText(paused ? tr("Resume queue") : tr("Pause queue"));
  });
  connect(parallel_, QOverload<int>::of(&QSpinBox::valueChanged), this, [this](int n) {
    queue_->setParallelRuns(n);
    QSettings().setValue(QStringLiteral("queue/parallel"), n);
  });
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] { showLosses(selectedRunId()); });
  connect(queue_, &RunQueue::runAdded, this, [this] { rebuildTable(); });
  connect(queue_, &RunQueue::runChanged, this, &MonitorView::updateRow);
  connect(queue_, &RunQueue::lossesAppended, this, &MonitorView::appendLosses);
}

int MonitorView::selectedRunId() const {
  const auto rows = table_->selectionModel()->selectedRows();
  return rows.isEmpty() ? 0 : table_->item(rows.front().row(), kName)->data(Qt::UserRole).toInt();
}

void MonitorView::rebuildTable() {
  const int selected = selectedRunId();
  table_->setRowCount(static_cast<int>(queue_->runs().size()));
  int row = 0;
  for (const QueuedRun& r : queue_->runs()) {
    auto* name = new QTableWidgetItem(r.name);
    name->setData(Qt::UserRole, r.id);
    table_->setItem(row, kName, name);
    for (int c = kState; c < kColumns; ++c)
      if (c != kProgress) table_->setItem(row, c, new QTableWidgetItem);
    auto* bar = new QProgressBar(table_);
    bar->setToolTip(tr("Optimiser steps done of the run's total"));
    table_->setCellWidget(row, kProgress, bar);
    updateRow(r.id);
    if (r.id == selected) table_->selectRow(row);
    ++row;
  }
  if (selectedRunId() == 0 && table_->rowCount() > 0) table_->selectRow(table_->rowCount() - 1);
}

void MonitorView::updateRow(int id) {
  const QueuedRun* r = queue_->find(id);
  if (!r || table_->rowCount() != static_cast<int>(queue_->runs().size())) {
    rebuildTable();  // a run was removed (or added): rows no longer match
    return;
  }
  for (int row = 0; row < table_->rowCount(); ++row) {
    if (table_->item(row, kName)->data(Qt::UserRole).toInt() != id) continue;
    table_->item(row, kState)->setText(stateName(r->state));
    auto* bar = static_cast<QProgressBar*>(table_->cellWidget(row, kProgress));
    bar->setRange(0, static_cast<int>(std::max<int64_t>(1, r->progress.totalSteps)));
    bar->setValue(static_cast<int>(r->state == QueuedRun::State::Finished ? bar->maximum() : r->progress.step));
    table_->item(row, kStep)->setText(QStringLiteral("%1 / %2").arg(r->progress.step).arg(r->progress.totalSteps));
    table_->item(row, kEta)->setText(r->state == QueuedRun::State::Running ? formatEta(r->progress.etaSeconds)
                                                                           : QStringLiteral("—"));
    table_->item(row, kSpeed)->setText(QString::number(r->progress.examplesPerSecond, 'f', 1));
    table_->item(row, kMessage)->setText(r->message);
    table_->item(row, kMessage)->setToolTip(r->message);
  }
}

void MonitorView::showLosses(int id) {
  plotted_ = id;
  plot_->clearGraphs();
  if (queue_->find(id)) appendLosses(id, 0);
  plot_->replot();
}

void MonitorView::appendLosses(int id, int firstNewStep) {
  if (id != plotted_) {
    if (selectedRunId() != 0) return;
    plotted_ = id;  // nothing selected: follow the running run
    plot_->clearGraphs();
    firstNewStep = 0;
  }
  const QueuedRun* r = queue_->find(id);
  if (!r || r->losses.empty()) return;
  const int exits = static_cast<int>(r->losses.front().size());
  while (plot_->graphCount() < exits) {
    QCPGraph* g = plot_->addGraph();
    g->setPen(QPen(exitColor(plot_->graphCount() - 1), 1.5));
    g->setName(tr("exit %1").arg(plot_->graphCount()));
  }
  for (size_t s = static_cast<size_t>(firstNewStep); s < r->losses.size(); ++s)
    for (int e = 0; e < exits && e < static_cast<int>(r->losses[s].size()); ++e)
      plot_->graph(e)->addData(static_cast<double>(s + 1), r->losses[s][static_cast<size_t>(e)]);
  plot_->rescaleAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace sweet::ui
