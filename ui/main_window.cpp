// Main window: see main_window.h.
#include "ui/counted.h"
#include "ui/main_window.h"

#include "ui/about_dialog.h"
#include "ui/background_build.h"
#include "ui/curve_view.h"
#include "ui/exit_explorer_view.h"
#include "ui/exit_table_view.h"
#include "ui/folder_watcher.h"
#include "ui/experiment_dialog.h"
#include "ui/heatmap_view.h"
#include "ui/help_windows.h"
#include "ui/monitor_view.h"
#include "ui/plot_export.h"
#include "ui/reliability_view.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"
#include "ui/runs_panel.h"
#include "ui/sweep_panel.h"
#include "ui/task_panels_view.h"
#include "ui/training_adapter.h"
#include "ui/window_shortcuts.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>


namespace sweet::ui {
namespace {

constexpr int kMaxRecent = 10;

QStringList runFilesIn(const QMimeData* mime) {
  QStringList paths;
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile() && url.toLocalFile().endsWith(QStringLiteral(".h5"), Qt::CaseInsensitive))
      paths << url.toLocalFile();
  return paths;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("SWEET Workbench"));
  setAcceptDrops(true);
  queue_ = new RunQueue(this);
  watcher_ = new RunFolderWatcher(this);
  curves_ = new CurveView(this);
  // Its curves are built on a worker thread: 20 runs' replays and temperature fits froze
  // the window ~0.7 s at every load, filter keystroke and live re-read.
  curves_->setAsync(true);
  table_ = new ExitTableView(this);
  table_->setAsync(true);  // copying every run's data and its report: ~0.5 s for 20 large runs
  heatmaps_ = new HeatmapView(this);
  monitor_ = new MonitorView(queue_, this);
  tasks_ = new TaskPanelsView(this);
  tasks_->setAsync(true);  // one CurveModel per task: ~0.5 s for 20 large runs
  sweeps_ = new SweepPanel(this);
  explorer_ = new ExitExplorerView(this);
  explorer_->followCurves(curves_);
  reliability_ = new ReliabilityView(this);
  reliability_->setAsync(true);  // a temperature fit per exit: 24-30 ms per run shown at 10,000 instances
  heatmaps_->watchQueue(queue_);
  tabs_ = new QTabWidget(this);
  tabs_->addTab(curves_, tr("Speed-accuracy"));
  tabs_->addTab(table_, tr("Per-exit table"));
  tabs_->addTab(heatmaps_, tr("Gradient heatmaps"));
  tabs_->addTab(monitor_, tr("Runs"));
  tabs_->addTab(tasks_, tr("Per task"));
  tabs_->addTab(sweeps_, tr("Sweeps"));
  tabs_->addTab(explorer_, tr("Exit explorer"));
  tabs_->addTab(reliability_, tr("Reliability"));
  tabs_->setTabToolTip(0, tr("Speed-accuracy curves with draggable exit thresholds (Fig. 4-6)"));
  tabs_->setTabToolTip(1, tr("Each exit's score, seed mean ± std, with gaps to EE (Table 1)"));
  tabs_->setTabToolTip(2, tr("Cosine similarity between exits' gradients per layer (Fig. 3/9)"));
  tabs_->setTabToolTip(3, tr("Run queue and live training curves"));
  tabs_->setTabToolTip(4, tr("One speed-accuracy panel per task and their average (Figs. 4-6, 10)"));
  tabs_->setTabToolTip(5, tr("A sweep file's runs: their states, run here or on Slurm, results opened as they land"));
  tabs_->setTabToolTip(tabs_->indexOf(explorer_),
                       tr("Each evaluation instance: its text, every exit's prediction and confidence, and the exit it "
                          "takes at the curve marker's threshold"));
  tabs_->setTabToolTip(tabs_->indexOf(reliability_), tr("Reliability diagrams per exit: confidence against accuracy before and after temperature scaling"));
  setCentralWidget(tabs_);
  runsPanel_ = new RunsPanel(this);
  curves_->setCatalog(&runsPanel_->catalog());
  auto* runsDock = new QDockWidget(tr("Open runs"), this);
  runsDock->setObjectName(QStringLiteral("openRunsDock"));  // restoreState finds it by name
  runsDock->setWidget(runsPanel_);
  addDockWidget(Qt::BottomDockWidgetArea, runsDock);
  // On screen, lines are drawn segment by segment: QPainter's antialiased stroke of a
  // whole polyline wider than 1 px costs ~80 ms at 60 points of a noisy loss curve and
  // grows with every step (the Runs tab's loss plot was most of bench_gui_stall's
  // stalls). Exports render with caching off (QCustomPlot's fast path then never runs),
  // so figures keep their joined polylines.
  for (QCustomPlot* plot : findChildren<QCustomPlot*>()) plot->setPlottingHint(QCP::phFastPolylines, true);
  createMenus();
  auto* view = new QMenu(tr("&View"), this);
  view->addAction(runsDock->toggleViewAction());
  menuBar()->insertMenu(menuBar()->actions().back(), view);  // before Help, the last
  new WindowShortcuts(this);  // after every menu, so it sees all their shortcuts
  statusBar()->showMessage(tr("Open run files (Ctrl+O), drop .h5 files here, or start a new experiment (Ctrl+N)"));

  connect(&loader_, &RunLoader::loaded, this, &MainWindow::onLoaded);
  connect(&store_, &RunStore::changed, this, &MainWindow::showRuns);
  connect(runsPanel_, &RunsPanel::changed, this, [this] {
    try {
      curves_->setRuns(store_.runs());
    } catch (const std::exception& e) {
      statusBar()->showMessage(tr("speed-accuracy: %1").arg(QString::fromStdString(e.what())), 15000);
    }
  });
  connect(curves_, &CurveView::computationFailed, this, [this](const QString& message) {
    statusBar()->showMessage(tr("speed-accuracy: %1").arg(message), 15000);
  });
  connect(tasks_, &TaskPanelsView::computationFailed, this, [this](const QString& message) {
    statusBar()->showMessage(tr("per-task panels: %1").arg(message), 15000);
  });
  connect(sweeps_, &SweepPanel::runsFinished, this, [this](const QStringList& files) { loader_.load(files, true); });
  connect(curves_->calibrateBox(), &QCheckBox::toggled, table_, &ExitTableView::setCalibrated);
  table_->setCalibrated(curves_->calibrateBox()->isChecked());
  connect(curves_->calibrateBox(), &QCheckBox::toggled, tasks_, &TaskPanelsView::setCalibrated);
  tasks_->setCalibrated(curves_->calibrateBox()->isChecked());
  connect(queue_, &RunQueue::message, this, [this](const QString& m) { statusBar()->showMessage(m, 10000); });
  // A queued run's file is opened as soon as it exists and re-read at each interim
  // evaluation and at the end, so every view follows the run from its file.
  connect(queue_, &RunQueue::runFileCreated, this, [this](int, const QString& file) { loader_.load({file}, true); });
  connect(queue_, &RunQueue::runFileUpdated, this, [this](int, const QString& file) { loader_.load({file}, true); });
  connect(queue_, &RunQueue::runFinished, this, [this](int, const QString& file) { loader_.load({file}, true); });
  connect(queue_, &RunQueue::idle, this, [this] {
    if (quitting_) close();
  });
  // Files written by another process (`sweet train`, a cluster mount) are re-read while
  // they grow; SWMR makes that safe during writing.
  liveReload_ = new QTimer(this);
  liveReload_->setInterval(2000);
  connect(liveReload_, &QTimer::timeout, this, &MainWindow::reloadGrowingRuns);
  liveReload_->start();
  connect(watcher_, &RunFolderWatcher::runFilesReady, this, &MainWindow::openRunFiles);

  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  if (!settings.contains(QStringLiteral("window/geometry"))) resize(1200, 800);
  for (const QString& dir : settings.value(QStringLiteral("watch/folders")).toStringList()) watcher_->addFolder(dir);
}

bool MainWindow::watchFolder(const QString& dir) {
  if (!watcher_->addFolder(dir)) return false;
  QSettings().setValue(QStringLiteral("watch/folders"), watcher_->folders());
  statusBar()->showMessage(tr("Watching %1: run files that appear there are opened").arg(dir), 10000);
  return true;
}

void MainWindow::stopWatchingFolders() {
  for (const QString& dir : watcher_->folders()) watcher_->removeFolder(dir);
  QSettings().remove(QStringLiteral("watch/folders"));
  statusBar()->showMessage(tr("No folder is watched"), 5000);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* newExp = file->addAction(tr("&New experiment…"), this, &MainWindow::newExperiment);
  newExp->setShortcut(QKeySequence::New);
  newExp->setStatusTip(tr("Set up EE/SWEET/MM runs and queue them"));
  QAction* open = file->addAction(tr("&Open run files…"), this, &MainWindow::openDialog);
  open->setShortcut(QKeySequence::Open);
  open->setStatusTip(tr("Open one or more .h5 run files"));
  recentMenu_ = file->addMenu(tr("Open &recent"));
  refreshRecentMenu();
  file->addAction(tr("&Watch folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Watch a run folder"));
        if (!dir.isEmpty() && !watchFolder(dir)) QMessageBox::warning(this, tr("Watch folder"), tr("Cannot watch %1").arg(dir));
      })
      ->setStatusTip(tr("Open run files that appear in a folder (e.g. copied from a cluster), now and in later sessions"));
  file->addAction(tr("Stop watching folders"), this, &MainWindow::stopWatchingFolders)
      ->setStatusTip(tr("Forget the watched folders"));
  file->addSeparator();
  QMenu* exportMenu = file->addMenu(tr("&Export"));
  QAction* fig1 = exportMenu->addAction(tr("Current plot, one column…"), this, [this] { exportFigure(false); });
  fig1->setShortcut(QKeySequence(tr("Ctrl+E")));
  fig1->setStatusTip(tr("Save the current tab's plot as PDF, SVG or PNG at one-column width (3.3 in)"));
  exportMenu->addAction(tr("Current plot, two columns…"), this, [this] { exportFigure(true); })
      ->setStatusTip(tr("Save the current tab's plot at full text width (7 in)"));
  exportMenu->addAction(tr("Plot data as CSV…"), this, &MainWindow::exportPlotCsv)
      ->setStatusTip(tr("Save the numbers behind the current plot as CSV"));
  exportMenu->addAction(tr("Per-exit table as LaTeX…"), this, [this] { exportTable(true); })
      ->setStatusTip(tr("Save Table 1 as a LaTeX tabular"));
  exportMenu->addAction(tr("Per-exit table as CSV…"), this, [this] { exportTable(false); })
      ->setStatusTip(tr("Save Table 1 as CSV"));
  file->addSeparator();
  QAction* clear = file->addAction(tr("&Close all runs"), this, [this] { store_.clear(); });
  clear->setShortcut(QKeySequence::Close);
  clear->setStatusTip(tr("Remove every run from the views (files are untouched)"));
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setStatusTip(tr("Quit the workbench"));
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* guide = help->addAction(tr("&User guide"), this, [this] { showUserGuide(this); });
  guide->setShortcut(QKeySequence::HelpContents);
  guide->setStatusTip(tr("The README and the docs: training, the command line, run files, formulas, clusters"));
  help->addAction(tr("&Keyboard shortcuts"), this, [this] { showShortcuts(this); })
      ->setStatusTip(tr("Every menu shortcut"));
  help->addSeparator();
  help->addAction(tr("&About SWEET Workbench"), this, [this] { showAboutDialog(this); })
      ->setStatusTip(tr("Versions of the workbench, Qt, libtorch and HDF5"));
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::openRunFiles(const QStringList& paths) {
  if (paths.isEmpty()) return;
  statusBar()->showMessage(tr("Loading %1…").arg(counted(paths.size(), tr("run file"), tr("run files"))));
  loader_.load(paths);
}

void MainWindow::showRuns() {
  // No exception from a view's analysis may reach the event loop (it would end the app):
  // a run the analysis refuses is named in the status bar and the other views go on.
  auto guarded = [this](const char* view, auto&& update) {
    try {
      update();
    } catch (const std::exception& e) {
      statusBar()->showMessage(tr("%1: %2").arg(QLatin1String(view), QString::fromStdString(e.what())), 15000);
    }
  };
  // A growing run is re-read after every few steps; its curves (replays, exact curves,
  // temperature fits on the GUI thread) and heatmaps change only with a new evaluation or
  // gradient record, so those views rebuild only then. The Runs tab follows every re-read.
  std::string evaluations, gradients;
  for (const RunPtr& r : store_.runs()) {
    const std::string key = r->data.path + '\x1f' + std::to_string(r->data.evalStep) + '\x1f' +
                            std::to_string(r->data.evalDone) + '\x1f' + std::to_string(r->data.interimEvals) + '\x1f' +
                            std::to_string(static_cast<int>(r->data.status.state)) + '\x1e';
    evaluations += key;
    gradients += r->data.path + '\x1f' + std::to_string(r->gradients ? r->gradients->records() : 0) + '\x1e';
  }
  runsPanel_->setRuns(store_.runs());  // first: the curves draw what it shows
  if (evaluations != shownEvaluations_) {
    shownEvaluations_ = evaluations;
    guarded("speed-accuracy", [this] { curves_->setRuns(store_.runs()); });
    guarded("per-exit table", [this] { table_->setRuns(store_.runs()); });
    guarded("per-task panels", [this] { tasks_->setRuns(store_.runs()); });
    guarded("exit explorer", [this] { explorer_->setRuns(store_.runs()); });
    guarded("reliability", [this] { reliability_->setRuns(store_.runs()); });
  }
  if (gradients != shownGradients_) {
    shownGradients_ = gradients;
    guarded("heatmaps", [this] { heatmaps_->setRuns(store_.runs()); });
  }
  guarded("runs", [this] { monitor_->setOpenedRuns(store_.runs()); });
}

void MainWindow::reloadGrowingRuns() {
  if (loader_.busy()) return;
  QStringList changed;
  for (const RunPtr& run : store_.runs()) {
    if (run->data.status.state != RunState::Running) continue;
    const QString path = QString::fromStdString(run->data.path);
    const QFileInfo info(path);
    if (!info.exists()) continue;
    const auto stamp = std::make_pair(info.size(), info.lastModified());
    auto it = fileStamps_.find(path);
    if (it != fileStamps_.end() && it->second == stamp) continue;
    fileStamps_[path] = stamp;
    if (it != fileStamps_.end()) changed << path;  // the first sighting only records the stamp
  }
  if (!changed.isEmpty()) loader_.load(changed, true);
}

void MainWindow::onLoaded(const LoadBatch& batch) {
  notePretrainingFiles(batch);
  if (batch.reload) {
    if (!batch.runs.empty()) store_.add(batch.runs);
    if (!batch.errors.empty())
      statusBar()->showMessage(tr("Could not re-read %1").arg(batch.errors.front().second), 10000);
    return;
  }
  QStringList ok;
  for (const RunPtr& r : batch.runs) ok << QString::fromStdString(r->data.path);
  addRecent(ok);
  if (!batch.runs.empty()) store_.add(batch.runs);
  if (!batch.errors.empty()) {
    QStringList lines;
    for (const auto& [path, message] : batch.errors) lines << message;
    statusBar()->showMessage(tr("%1 could not be read").arg(counted(static_cast<qint64>(batch.errors.size()), tr("file"), tr("files"))), 10000);
    QMessageBox::warning(this, tr("Some run files could not be read"), lines.join('\n'));
  } else {
    statusBar()->showMessage(tr("Loaded %1; %2 open").arg(counted(static_cast<qint64>(batch.runs.size()), tr("run"), tr("runs")))
                                 .arg(store_.runs().size()), 10000);
  }
}

void MainWindow::notePretrainingFiles(const LoadBatch& batch) {
  // A demo folder holds demo-pretrain*.h5 beside its runs, and a watched folder reports
  // files as each settles: a modal warning per file stopped the user at every one. One
  // note, not modal, lists them all and grows while it is open.
  bool added = false;
  for (const auto& [path, message] : batch.pretraining)
    if (!skippedPretraining_.contains(path)) {
      skippedPretraining_ << path;
      added = true;
    }
  if (!added) return;
  if (!pretrainingNote_) {
    pretrainingNote_ = new QMessageBox(QMessageBox::Information, tr("Pre-training run files skipped"), QString(),
                                       QMessageBox::Close, this);
    pretrainingNote_->setAttribute(Qt::WA_DeleteOnClose);
    pretrainingNote_->setWindowModality(Qt::NonModal);
    pretrainingNote_->setText(tr("These are `sweet pretrain` run files (MLM loss and accuracy, no exits): the "
                                 "workbench compares fine-tuning runs (`sweet train`), so they are not opened."));
  }
  pretrainingNote_->setInformativeText(skippedPretraining_.join(QLatin1Char('\n')));
  pretrainingNote_->show();
}

void MainWindow::openDialog() {
  QSettings settings;
  const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open run files"),
                                                          settings.value(QStringLiteral("paths/lastOpen")).toString(),
                                                          tr("Run files (*.h5);;All files (*)"));
  if (paths.isEmpty()) return;
  settings.setValue(QStringLiteral("paths/lastOpen"), QFileInfo(paths.front()).absolutePath());
  openRunFiles(paths);
}

void MainWindow::newExperiment() {
  ExperimentDialog dialog(this);
  if (dialog.exec() != QDialog::Accepted) return;
  for (const PlannedRun& run : dialog.plannedRuns()) queue_->enqueue(run);
  tabs_->setCurrentWidget(monitor_);
}

QStringList MainWindow::queueConfigFiles(const QStringList& paths, const QStringList& overrides) {
  QStringList refused;
  for (const QString& path : paths) {
    try {
      PlannedRun run;
      std::vector<std::string> sets;
      for (const QString& o : overrides) sets.push_back(o.toStdString());
      run.config = trainConfigFromJson(readConfigFile(path.toStdString(), sets), path.toStdString(), sets);
      run.name = run.config.resolvedRunName();
      queue_->enqueue(run);
    } catch (const std::exception& e) {
      refused << QString::fromStdString(e.what());
    }
  }
  if (!paths.isEmpty()) tabs_->setCurrentWidget(monitor_);
  return refused;
}

QCustomPlot* MainWindow::currentPlot() const {
  QWidget* w = tabs_->currentWidget();
  if (w == curves_) return curves_->plot();
  if (w == heatmaps_) return heatmaps_->plot();
  if (w == monitor_) return monitor_->plot();
  if (w == tasks_) return tasks_->plot();
  if (w == reliability_) return reliability_->plot();
  return nullptr;
}

namespace {

// Asks for a file name; a name typed without an extension takes the chosen filter's
// ("fig" with "PDF (*.pdf)" selected becomes fig.pdf) rather than failing later.
QString askSavePath(QWidget* parent, const QString& title, const QString& filters) {
  QString selected;
  QString path = QFileDialog::getSaveFileName(parent, title, QString(), filters, &selected);
  if (path.isEmpty() || !QFileInfo(path).suffix().isEmpty()) return path;
  return withFilterExtension(path, selected.isEmpty() ? filters.section(QStringLiteral(";;"), 0, 0) : selected);
}

}  // namespace

QString withFilterExtension(const QString& path, const QString& filter) {
  if (!QFileInfo(path).suffix().isEmpty()) return path;
  const int star = filter.indexOf(QStringLiteral("*."));
  if (star < 0) return path;
  QString ext;
  for (int i = star + 2; i < filter.size() && filter[i].isLetterOrNumber(); ++i) ext += filter[i];
  return ext.isEmpty() ? path : path + QLatin1Char('.') + ext;
}

void MainWindow::exportFigure(bool twoColumn) {
  if (!currentPlot()) return statusBar()->showMessage(tr("This tab has no plot; use the table exports"), 5000);
  const QString path = askSavePath(this, tr("Export figure"), tr("PDF (*.pdf);;SVG (*.svg);;PNG, 300 dpi (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (exportCurrentPlot(path, twoColumn ? FigureSize::TwoColumn : FigureSize::OneColumn, &error))
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
  else
    QMessageBox::warning(this, tr("Export failed"), error);
}

bool MainWindow::waitForNewestContent(QWidget* tab, QString* error) {
  // A view built on a worker shows its previous content until the newest build lands: an
  // export right after a change (a filter typed, a run chosen) wrote that previous content.
  std::function<bool()> busy;
  if (tab == curves_) busy = [this] { return curves_->computing(); };
  else if (tab == table_) busy = [this] { return table_->computing(); };
  else if (tab == tasks_) busy = [this] { return tasks_->computing(); };
  else if (tab == reliability_) busy = [this] { return reliability_->computing(); };
  if (!busy || !busy()) return true;
  if (exporting_) {
    if (error) *error = tr("another export is waiting for its figure");
    return false;
  }
  exporting_ = true;
  statusBar()->showMessage(tr("Exporting once the newest %1 is drawn…").arg(tabs_->tabText(tabs_->indexOf(tab))));
  QApplication::setOverrideCursor(Qt::BusyCursor);
  const bool drawn = waitUntilIdle(busy, 120000);
  QApplication::restoreOverrideCursor();
  exporting_ = false;
  if (!drawn && error) *error = tr("the figure is still being computed; export again once it is drawn");
  return drawn;
}

bool MainWindow::exportCurrentPlot(const QString& path, FigureSize size, QString* error) {
  QWidget* tab = tabs_->currentWidget();
  if (!currentPlot()) {
    if (error) *error = tr("This tab has no plot; use the table exports");
    return false;
  }
  if (!waitForNewestContent(tab, error)) return false;
  if (tabs_->currentWidget() != tab) {  // another tab's figure was never waited for
    if (error) *error = tr("the tab changed while the figure was computed; export again");
    return false;
  }
  QCustomPlot* plot = currentPlot();
  ExportOptions options;
  options.size = size;
  if (plot == curves_->plot()) options.caption = curves_->figureCaption();  // what the legend leaves out
  // One column is too narrow for every layer's panel in one row: two per row there.
  const bool oneColumn = size == FigureSize::OneColumn;
  const bool heatmaps = plot == heatmaps_->plot(), tasks = plot == tasks_->plot(), reliability = plot == reliability_->plot();
  if (heatmaps && oneColumn) heatmaps_->setPanelColumns(2);
  if (tasks && oneColumn) tasks_->setPanelColumns(2);
  if (reliability && oneColumn) reliability_->setPanelColumns(2);
  const bool ok = exportPlot(plot, path, options, error);
  if (heatmaps && oneColumn) heatmaps_->setPanelColumns(0);
  if (tasks && oneColumn) tasks_->setPanelColumns(4);
  if (reliability && oneColumn) reliability_->setPanelColumns(4);
  return ok;
}

void MainWindow::exportPlotCsv() {
  QWidget* tab = tabs_->currentWidget();
  if (tab != curves_ && tab != heatmaps_ && tab != tasks_ && tab != reliability_)
    return statusBar()->showMessage(tr("CSV export is available for the curves, the per-task panels, the heatmaps and the reliability diagrams"), 5000);
  const QString path = askSavePath(this, tr("Export plot data"), tr("CSV (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!waitForNewestContent(tab, &error)) return (void)QMessageBox::warning(this, tr("Export failed"), error);
  QString text;
  if (tab == curves_) text = curves_->curveCsv();
  else if (tab == heatmaps_) text = heatmaps_->heatmapCsv();
  else if (tab == tasks_) text = tasks_->panelsCsv();
  else text = reliability_->reliabilityCsv();
  if (!writeTextFile(path, text, &error)) QMessageBox::warning(this, tr("Export failed"), error);
}

void MainWindow::exportTable(bool latex) {
  const QString path = askSavePath(this, tr("Export table"), latex ? tr("LaTeX (*.tex)") : tr("CSV (*.csv)"));
  QString error;
  if (!path.isEmpty() && !waitForNewestContent(table_, &error)) return (void)QMessageBox::warning(this, tr("Export failed"), error);
  if (!path.isEmpty() && !writeTextFile(path, latex ? table_->toLatex() : table_->toCsv(), &error))
    QMessageBox::warning(this, tr("Export failed"), error);
}

void MainWindow::addRecent(const QStringList& paths) {
  if (paths.isEmpty()) return;
  QSettings settings;
  QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
  for (const QString& p : paths) {
    const QString abs = QFileInfo(p).absoluteFilePath();
    recent.removeAll(abs);
    recent.prepend(abs);
  }
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(QStringLiteral("recentFiles"), recent);
  refreshRecentMenu();
}

void MainWindow::refreshRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
  for (const QString& path : recent)
    recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openRunFiles({path}); })->setStatusTip(path);
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (queue_->isBusy()) {
    if (quitting_) return event->ignore();  // already stopping: the window closes when done
    if (confirmClose_) {
      const auto answer = QMessageBox::question(this, tr("Stop running work?"),
                                                tr("Runs are still training or queued. Stop them and quit? "
                                                   "Stopped runs keep their files."),
                                                QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
      if (answer != QMessageBox::Yes) return event->ignore();
    }
    // The GUI stays responsive while each run finishes its step and closes its file;
    // idle() closes the window again once nothing runs.
    quitting_ = true;
    statusBar()->showMessage(tr("Stopping %1 before quitting…").arg(counted(queue_->runningCount(), tr("run"), tr("runs"))));
    queue_->stopAll();
    if (queue_->isBusy()) return event->ignore();
  }
  queue_->shutdown();
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (!runFilesIn(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QStringList paths = runFilesIn(event->mimeData());
  if (paths.isEmpty()) return;
  event->acceptProposedAction();
  openRunFiles(paths);
}

}  // namespace sweet::ui
