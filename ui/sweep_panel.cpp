// The Sweeps tab: see sweep_panel.h.
#include "ui/sweep_panel.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace sweet::ui {

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
  const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("sweet"));
  sweet_ = QFileInfo::exists(beside) ? beside : QStringLiteral("sweet");
  open_ = new QPushButton(tr("Open sweep…"), this);
  open_->setToolTip(tr("A sweep file: a base configuration and a grid over any keys (docs/cluster.md)"));
  path_ = new QLabel(tr("No sweep open"), this);
  parallel_ = new QSpinBox(this);
  parallel_->setRange(1, 64);
  parallel_->setPrefix(tr("at a time: "));
  parallel_->setToolTip(tr("Runs trained at once by `sweet sweep run --backend local -j N`"));
  run_ = new QPushButton(tr("Run here"), this);
  run_->setToolTip(tr("Train the pending runs and resume the unfinished ones on this machine (sweet sweep run)"));
  submit_ = new QPushButton(tr("Submit to Slurm"), this);
  submit_->setToolTip(tr("Write and submit a Slurm job array for the runs not done (sweet sweep run --backend slurm)"));
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setToolTip(tr("Stop the local sweep: each run writes a checkpoint and can be resumed by running again"));
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  table_ = new QTableWidget(0, 4, this);
  table_->setHorizontalHeaderLabels({tr("run"), tr("state"), tr("steps"), tr("detail")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
  for (QPushButton* b : {run_, submit_, stop_}) b->setEnabled(false);

  auto* top = new QHBoxLayout;
  top->addWidget(open_);
  top->addWidget(path_, 1);
  top->addWidget(parallel_);
  top->addWidget(run_);
  top->addWidget(submit_);
  top->addWidget(stop_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(table_, 1);
  layout->addWidget(status_);

  connect(open_, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open sweep"), QString(), tr("Sweep (*.json)"));
    if (!file.isEmpty()) openSweep(file);
  });
  connect(run_, &QPushButton::clicked, this, [this] {
    startCli({QStringLiteral("sweep"), QStringLiteral("run"), QString::fromStdString(sweep_->path), QStringLiteral("-j"),
              QString::number(parallel_->value())});
  });
  connect(submit_, &QPushButton::clicked, this, [this] {
    startCli({QStringLiteral("sweep"), QStringLiteral("run"), QString::fromStdString(sweep_->path), QStringLiteral("--backend"),
              QStringLiteral("slurm")});
  });
  // SIGTERM, once: the CLI passes it to each run, which checkpoints and stops.
  connect(stop_, &QPushButton::clicked, this, [this] { process_.terminate(); });
  process_.setProcessChannelMode(QProcess::MergedChannels);
  connect(&process_, &QProcess::readyRead, this, [this] {
    const QString text = QString::fromUtf8(process_.readAll()).trimmed();
    if (!text.isEmpty()) status_->setText(text.section(QLatin1Char('\n'), -1));
  });
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
    status_->setText(status_->text() + tr("\nsweet sweep run ended (exit %1)").arg(code));
    for (QPushButton* b : {run_, submit_}) b->setEnabled(sweep_ != nullptr);
    stop_->setEnabled(false);
    refresh();
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) {
      status_->setText(tr("cannot start %1 (is the sweet command line built or on PATH?)").arg(sweet_));
      for (QPushButton* b : {run_, submit_}) b->setEnabled(sweep_ != nullptr);
      stop_->setEnabled(false);
    }
  });
  connect(&watcher_, &QFutureWatcher<std::vector<SweepRunStatus>>::finished, this,
          [this] { showStates(watcher_.result()); });
  poll_.setInterval(3000);  // a run file's state changes at most this often worth showing
  connect(&poll_, &QTimer::timeout, this, &SweepPanel::refresh);
}

SweepPanel::~SweepPanel() {
  watcher_.waitForFinished();  // the worker reads files through sweep_: let it end first
  if (process_.state() != QProcess::NotRunning) {
    process_.terminate();  // runs checkpoint on SIGTERM: closing the app loses no work
    process_.waitForFinished(30000);
  }
}

bool SweepPanel::openSweep(const QString& path) {
  if (watcher_.isRunning()) watcher_.waitForFinished();
  try {
    auto sweep = std::make_unique<Sweep>(loadSweep(path.toStdString()));
    sweep_ = std::move(sweep);
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return false;
  }
  path_->setText(tr("%1: %2 runs in %3")
                     .arg(QString::fromStdString(sweep_->name))
                     .arg(sweep_->runs.size())
                     .arg(QString::fromStdString(sweep_->output_dir)));
  table_->setRowCount(static_cast<int>(sweep_->runs.size()));
  for (size_t i = 0; i < sweep_->runs.size(); ++i)
    table_->setItem(static_cast<int>(i), 0, new QTableWidgetItem(QString::fromStdString(sweep_->runs[i].id)));
  states_.clear();
  announced_.clear();
  status_->clear();
  for (QPushButton* b : {run_, submit_}) b->setEnabled(!isRunning());
  refresh();
  poll_.start();
  return true;
}

void SweepPanel::refresh() {
  if (!sweep_ || watcher_.isRunning()) return;
  const Sweep* sweep = sweep_.get();
  watcher_.setFuture(QtConcurrent::run([sweep] {
    std::vector<SweepRunStatus> states;
    for (const SweepRun& run : sweep->runs) states.push_back(sweepRunStatus(run));
    return states;
  }));
}

void SweepPanel::showStates(const std::vector<SweepRunStatus>& states) {
  if (!sweep_ || states.size() != sweep_->runs.size()) return;  // a sweep opened meanwhile
  states_ = states;
  QStringList landed;
  for (size_t i = 0; i < states.size(); ++i) {
    const SweepRunStatus& s = states[i];
    const int row = static_cast<int>(i);
    table_->setItem(row, 1, new QTableWidgetItem(QString::fromLatin1(sweepRunStateName(s.state))));
    table_->setItem(row, 2, new QTableWidgetItem(s.total_steps > 0 ? QStringLiteral("%1/%2").arg(s.steps_done).arg(s.total_steps)
                                                                   : QStringLiteral("—")));
    QString detail = QString::fromStdString(s.detail);
    if (!s.config_differences.empty())
      detail += tr(" (trained with other values of: %1)")
                    .arg(QString::fromStdString([&] {
                      std::string keys;
                      for (const auto& k : s.config_differences) keys += (keys.empty() ? "" : ", ") + k;
                      return keys;
                    }()));
    table_->setItem(row, 3, new QTableWidgetItem(detail));
    const std::string file = sweep_->runs[i].train.runFilePath();
    if (s.state == SweepRunState::Done && announced_.insert(file).second) landed << QString::fromStdString(file);
  }
  if (!landed.isEmpty()) Q_EMIT runsFinished(landed);
}

void SweepPanel::startCli(const QStringList& args) {
  if (!sweep_ || isRunning()) return;
  status_->setText(tr("running: sweet %1").arg(args.join(QLatin1Char(' '))));
  for (QPushButton* b : {run_, submit_}) b->setEnabled(false);
  stop_->setEnabled(true);
  process_.start(sweet_, args);
}

}  // namespace sweet::ui
