// Runs tab: see monitor_view.h.
#include "ui/monitor_view.h"

#include "ui/plot_style.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"
#include "training/runs/run_files_status.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>

namespace sweet::ui {
namespace {

enum Column { kName, kState, kProgress, kStep, kEta, kSpeed, kMessage, kColumns };

QString formatEta(double seconds) {
  if (seconds <= 0) return QStringLiteral("—");
  const int s = static_cast<int>(seconds);
  return s >= 3600 ? QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60)
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Per-exit losses of a run file, [steps][exits], as the queue keeps them.
std::vector<std::vector<float>> lossRows(const analysis::RunData& run) {
  std::vector<std::vector<float>> rows(static_cast<size_t>(run.trainSteps));
  const auto E = static_cast<size_t>(run.exits());
  for (size_t s = 0; s < rows.size(); ++s)
    rows[s].assign(run.trainLoss.begin() + static_cast<std::ptrdiff_t>(s * E),
                   run.trainLoss.begin() + static_cast<std::ptrdiff_t>((s + 1) * E));
  return rows;
}

// The configuration an opened run file was trained with, where it writes; throws naming the
// file when the config does not parse or points elsewhere (a relative output_dir read from
// another folder), since the trainer would look for its checkpoint there.
TrainConfig resumeConfig(const analysis::RunData& d) {
  TrainConfig config = trainConfigFromJson(d.config, d.path + " (its config attribute)");
  std::error_code ec;
  if (!std::filesystem::equivalent(config.runFilePath(), d.path, ec))
    throw std::runtime_error(d.path + ": its configuration writes to " + config.runFilePath() +
                             ", not to this file (its folder moved, or output_dir is relative to another working "
                             "folder); a checkpoint resumes only where its run writes");
  return config;
}

// Why an opened run file cannot be resumed, empty when it can: the decision
// `sweet train --continue` takes (run_files_status.h), from the file as it was read.
QString resumeRefusal(const analysis::RunData& d) {
  if (d.status.state == RunState::Finished)
    return QObject::tr("%1 is finished: nothing to resume").arg(QString::fromStdString(d.path));
  try {
    const TrainConfig config = resumeConfig(d);  // where the trainer will look for its checkpoint
    std::error_code ec;
    const RunFilesStatus status = runFilesStatus(d, std::filesystem::exists(config.checkpointPath(), ec));
    if (continueAction(status, d.path) == ContinueAction::Resume) return {};
    return QObject::tr("%1 has no resume checkpoint beside it (%2)")
        .arg(QString::fromStdString(d.path), QString::fromStdString(config.checkpointPath()));
  } catch (const std::exception& e) {  // its writer is alive, or its configuration is elsewhere
    return QString::fromStdString(e.what());
  }
}

}  // namespace

MonitorView::MonitorView(RunQueue* queue, QWidget* parent) : QWidget(parent), queue_(queue) {
  table_ = new QTableWidget(0, kColumns, this);
  table_->setHorizontalHeaderLabels({tr("run"), tr("state"), tr("progress"), tr("step"), tr("ETA"),
                                     tr("examples/s"), tr("message")});
  table_->setToolTip(tr("Queued runs and opened run files; select one to see its per-exit loss curves"));
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(kMessage, QHeaderView::Stretch);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setToolTip(tr("Stop the selected run (its run file is kept, marked stopped) or drop it from the queue"));
  pauseRun_ = new QPushButton(tr("Pause run"), this);
  pauseRun_->setToolTip(tr("Hold the selected run after its current step (it keeps its memory and file) or let it go on"));
  resume_ = new QPushButton(tr("Resume from checkpoint"), this);
  resume_->setToolTip(tr("Continue a stopped or failed run from the checkpoint it left, as if it had never stopped"));
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
  smoothing_ = new QSpinBox(this);
  smoothing_->setRange(1, 1000);
  smoothing_->setPrefix(tr("smoothing: "));
  smoothing_->setSuffix(tr(" steps"));
  smoothing_->setToolTip(tr("Moving average of the loss over this many steps (1 = raw)"));
  smoothing_->setValue(QSettings().value(QStringLiteral("monitor/smoothing"), 1).toInt());

  plot_ = new QCustomPlot(this);
  plot_->setToolTip(tr("Training loss of each exit of the selected run, per optimiser step"));
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(tr("cross-entropy loss"));
  // The legend sits in a row of its own under the axes: the newest points (right end)
  // are never behind it. It joins the layout only while there are curves (showLegend).
  plot_->legend->setVisible(true);
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->axisRect()->insetLayout()->take(plot_->legend);  // its default place, over the data
  plot_->legend->setVisible(false);
  plot_->setMinimumHeight(220);
  emptyNote_ = new QCPItemText(plot_);
  emptyNote_->position->setType(QCPItemPosition::ptAxisRectRatio);
  emptyNote_->position->setCoords(0.5, 0.5);
  emptyNote_->setText(tr("Select a run to see its per-exit training losses"));
  emptyNote_->setColor(Qt::gray);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(stop_);
  buttons->addWidget(pauseRun_);
  buttons->addWidget(resume_);
  buttons->addWidget(remove_);
  buttons->addStretch();
  buttons->addWidget(smoothing_);
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
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);  // the loss curves get the larger share
  split->setSizes({2000, 3000});  // from the start, not only when resized (sizes are weights)
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  connect(stop_, &QPushButton::clicked, this, [this] {
    if (const int id = selectedRunId()) queue_->stop(id);
  });
  connect(pauseRun_, &QPushButton::clicked, this, [this] {
    const int id = selectedRunId();
    if (const QueuedRun* r = queue_->find(id)) queue_->setRunPaused(id, !r->paused);
  });
  connect(resume_, &QPushButton::clicked, this, &MonitorView::resumeSelected);
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
  connect(smoothing_, QOverload<int>::of(&QSpinBox::valueChanged), this, [this](int n) {
    QSettings().setValue(QStringLiteral("monitor/smoothing"), n);
    showSelectedLosses();
  });
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    updateButtons();
    showSelectedLosses();
  });
  connect(queue_, &RunQueue::runAdded, this, [this] { rebuildTable(); });
  connect(queue_, &RunQueue::runChanged, this, &MonitorView::updateRun);
  connect(queue_, &RunQueue::lossesAppended, this, [this](int id) {
    const int selected = selectedRunId();
    // Nothing selected: follow the newest running run.
    if (id == selected || (table_->selectionModel()->selectedRows().isEmpty())) {
      if (selected == 0) selectRun(id);
      else showSelectedLosses();
    }
  });
  updateButtons();
}

void MonitorView::setOpenedRuns(const std::vector<RunPtr>& runs) {
  opened_ = runs;
  rebuildTable();
}

int MonitorView::selectedRunId() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return 0;
  const auto r = static_cast<size_t>(rows.front().row());
  return r < rows_.size() ? rows_[r].queueId : 0;
}

int MonitorView::rowOfRun(int id) const {
  for (size_t r = 0; r < rows_.size(); ++r)
    if (id != 0 && rows_[r].queueId == id) return static_cast<int>(r);
  return -1;
}

void MonitorView::selectRun(int id) {
  if (const int row = rowOfRun(id); row >= 0) table_->selectRow(row);
}

void MonitorView::rebuildTable() {
  // Rows are rebuilt whole (cells first, then their contents), so no row is ever read
  // before it has items.
  const auto selection = table_->selectionModel()->selectedRows();
  const int selectedId = selectedRunId();
  std::string selectedFile;
  if (!selection.isEmpty() && static_cast<size_t>(selection.front().row()) < rows_.size() &&
      rows_[static_cast<size_t>(selection.front().row())].file)
    selectedFile = rows_[static_cast<size_t>(selection.front().row())].file->data.path;

  rows_.clear();
  QStringList queueFiles;
  for (const QueuedRun& r : queue_->runs()) {
    rows_.push_back({r.id, nullptr});
    if (!r.runFile.isEmpty()) queueFiles << r.runFile;
  }
  for (const RunPtr& run : opened_)
    if (!queueFiles.contains(QString::fromStdString(run->data.path))) rows_.push_back({0, run});

  const QSignalBlocker block(table_);
  table_->clearContents();
  table_->setRowCount(static_cast<int>(rows_.size()));
  for (int row = 0; row < table_->rowCount(); ++row) {
    for (int c = 0; c < kColumns; ++c)
      if (c != kProgress) table_->setItem(row, c, new QTableWidgetItem);
    auto* bar = new QProgressBar(table_);
    bar->setToolTip(tr("Optimiser steps done of the run's total"));
    table_->setCellWidget(row, kProgress, bar);
    fillRow(row);
  }
  int reselect = -1;
  for (size_t r = 0; r < rows_.size(); ++r)
    if ((selectedId && rows_[r].queueId == selectedId) ||
        (!selectedFile.empty() && rows_[r].file && rows_[r].file->data.path == selectedFile))
      reselect = static_cast<int>(r);
  if (reselect >= 0) table_->selectRow(reselect);
  updateButtons();
  showSelectedLosses();
}

void MonitorView::fillRow(int row) {
  const Row& entry = rows_.at(static_cast<size_t>(row));
  auto* bar = static_cast<QProgressBar*>(table_->cellWidget(row, kProgress));
  QString name, state, step, eta = QStringLiteral("—"), speed, message;
  int64_t done = 0, total = 1;
  if (entry.queueId) {
    const QueuedRun* r = queue_->find(entry.queueId);
    if (!r) return;
    name = r->name;
    state = r->paused ? tr("paused") : stateText(r->state);
    done = r->state == RunState::Finished ? std::max<int64_t>(1, r->progress.total_steps) : r->progress.step;
    total = std::max<int64_t>(1, r->progress.total_steps);
    step = QStringLiteral("%1 / %2").arg(r->progress.step).arg(r->progress.total_steps);
    const bool moving = r->state == RunState::Running && !r->paused;
    if (moving) eta = formatEta(r->progress.eta_seconds);
    // Only a run that trains now has a speed: a paused or ended one's last is history.
    speed = r->paused ? tr("paused")
                      : moving && r->stepsSeen ? QString::number(r->progress.examples_per_second, 'f', 1) : QStringLiteral("—");
    message = r->message;
  } else {
    const analysis::RunData& d = entry.file->data;
    name = QString::fromStdString(d.runName);
    // A file another process writes: "running" says only what the file says; one whose
    // writer is gone was killed (it can be resumed when a checkpoint sits beside it).
    state = d.status.state != RunState::Running ? stateText(d.status.state)
            : analysis::writerGone(d)            ? tr("killed")
                                                 : tr("running (file)");
    done = d.status.stepsDone;
    total = std::max<int64_t>(1, d.status.totalSteps);
    step = QStringLiteral("%1 / %2").arg(d.status.stepsDone).arg(d.status.totalSteps);
    speed = QStringLiteral("—");
    const std::string reason = analysis::unfinishedReason(d);
    message = QString::fromStdString(d.path) + (reason.empty() ? QString() : QStringLiteral(": ") + QString::fromStdString(reason));
  }
  table_->item(row, kName)->setText(name);
  table_->item(row, kState)->setText(state);
  bar->setRange(0, static_cast<int>(total));
  bar->setValue(static_cast<int>(std::min(done, total)));
  table_->item(row, kStep)->setText(step);
  table_->item(row, kEta)->setText(eta);
  table_->item(row, kSpeed)->setText(speed);
  table_->item(row, kMessage)->setText(message);
  table_->item(row, kMessage)->setToolTip(message);
}

void MonitorView::updateRun(int id) {
  const int row = rowOfRun(id);
  if (row < 0 || !queue_->find(id) || rows_.size() != static_cast<size_t>(table_->rowCount())) {
    rebuildTable();  // a run was removed (or added): rows no longer match
    return;
  }
  fillRow(row);
  if (id == selectedRunId()) {
    updateButtons();
    if (queue_->find(id)->losses.empty()) showSelectedLosses();  // the note follows its state
  }
}

void MonitorView::updateButtons() {
  const QueuedRun* r = queue_->find(selectedRunId());
  const bool active = r && (r->state == RunState::Running || r->state == RunState::Queued);
  stop_->setEnabled(active);
  pauseRun_->setEnabled(r && r->state == RunState::Running);
  pauseRun_->setText(r && r->paused ? tr("Resume run") : tr("Pause run"));
  remove_->setEnabled(r && r->state != RunState::Running);
  const LoadedRun* file = selectedFile();
  const QString refusal = file ? resumeRefusal(file->data) : QString();
  resume_->setEnabled((r && queue_->canResume(r->id)) || (file && refusal.isEmpty()));
  resume_->setToolTip(!refusal.isEmpty() ? refusal
                                         : tr("Continue a stopped, failed or killed run from the checkpoint beside its "
                                              "run file, as if it had never stopped (sweet train --continue)"));
}

const LoadedRun* MonitorView::selectedFile() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return nullptr;
  const auto r = static_cast<size_t>(rows.front().row());
  return r < rows_.size() && rows_[r].queueId == 0 ? rows_[r].file.get() : nullptr;
}

void MonitorView::resumeSelected() {
  if (const int id = selectedRunId()) {
    queue_->resume(id);
    return;
  }
  const LoadedRun* file = selectedFile();
  if (!file || !resumeRefusal(file->data).isEmpty()) return;
  const analysis::RunData& d = file->data;
  try {
    const TrainConfig config = resumeConfig(d);
    // A killed run's file still says "running"; the queue holds it as stopped until it resumes.
    const RunState state = d.status.state == RunState::Failed ? RunState::Failed : RunState::Stopped;
    const int id = queue_->adopt(QString::fromStdString(config.resolvedRunName()), config, QString::fromStdString(d.path), state,
                                 d.status.stepsDone, d.status.totalSteps);
    queue_->resume(id);
    selectRun(id);
  } catch (const std::exception& e) {
    resume_->setToolTip(QString::fromStdString(e.what()));
    Q_EMIT queue_->message(QString::fromStdString(e.what()));
  }
}

void MonitorView::showSelectedLosses() {
  const auto selection = table_->selectionModel()->selectedRows();
  if (selection.isEmpty() || static_cast<size_t>(selection.front().row()) >= rows_.size()) {
    emptyNote_->setText(tr("Select a run to see its per-exit training losses"));
    plotLosses({}, {}, {});
    return;
  }
  const Row& entry = rows_[static_cast<size_t>(selection.front().row())];
  emptyNote_->setText(tr("No training steps yet"));
  if (entry.queueId) {
    const QueuedRun* r = queue_->find(entry.queueId);
    if (r && r->state == RunState::Queued)
      emptyNote_->setText(r->resume ? tr("Waiting to resume: its losses so far are read from the run file when it starts")
                                    : tr("Waiting in the queue: its losses appear as it trains"));
    if (r)
      plotLosses("queue:" + std::to_string(r->id) + ":" + std::to_string(r->lossesGeneration), r->losses, r->exitLayers);
  } else {
    plotLosses("file:" + entry.file->data.path, lossRows(entry.file->data), entry.file->data.exitLayers);
  }
}

void MonitorView::plotLosses(const std::string& key, const std::vector<std::vector<float>>& losses,
                             const std::vector<int64_t>& exitLayers) {
  const int exits = losses.empty() ? 0 : static_cast<int>(losses.front().size());
  const int window = std::max(1, smoothing_->value());
  const bool grown = key == plottedKey_ && window == plottedWindow_ && losses.size() >= plottedSteps_ &&
                     plot_->graphCount() == exits && !key.empty();
  if (!grown) {
    plot_->clearGraphs();
    showLegend(exits > 0);
    plottedSteps_ = 0;
    for (int e = 0; e < exits; ++e) {
      QCPGraph* g = plot_->addGraph();
      g->setPen(QPen(exitColor(e), 1.5));
      g->setName(static_cast<size_t>(e) < exitLayers.size() ? tr("L%1").arg(exitLayers[static_cast<size_t>(e)])
                                                            : tr("exit %1").arg(e + 1));
    }
  }
  plottedKey_ = key;
  plottedWindow_ = window;
  if (losses.size() == plottedSteps_ && grown) return;
  for (int e = 0; e < exits; ++e) {
    // Trailing moving average: point s is the mean of steps (s - window, s].
    QVector<double> x, y;
    for (size_t s = plottedSteps_; s < losses.size(); ++s) {
      const size_t from = s + 1 >= static_cast<size_t>(window) ? s + 1 - static_cast<size_t>(window) : 0;
      double sum = 0;
      for (size_t k = from; k <= s; ++k)
        sum += e < static_cast<int>(losses[k].size()) ? losses[k][static_cast<size_t>(e)] : 0.0;
      x << static_cast<double>(s + 1);
      y << sum / static_cast<double>(s + 1 - from);
    }
    plot_->graph(e)->addData(x, y, true);
  }
  plottedSteps_ = losses.size();
  if (exits > 0) plot_->rescaleAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MonitorView::showLegend(bool show) {
  // An empty legend in the layout caps its column at the legend's own width (QCustomPlot
  // takes the narrowest maximum in a column), squeezing the axes to ~100 px and their tick
  // labels into one another; without curves the legend leaves the layout and a note says why.
  emptyNote_->setVisible(!show);
  plot_->legend->setVisible(show);
  if (!show) {  // no stale range of the run shown before
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setRange(0, 1);
  }
  QCPLayoutGrid* layout = plot_->plotLayout();
  const bool inLayout = layout->hasElement(1, 0) && layout->element(1, 0) == plot_->legend;
  if (show == inLayout) return;
  if (show) {
    layout->addElement(1, 0, plot_->legend);
    layout->setRowStretchFactor(1, 0.001);
  } else {
    layout->take(plot_->legend);
    layout->simplify();
  }
}

}  // namespace sweet::ui
