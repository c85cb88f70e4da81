// The workbench's main window: menus, drag-and-drop of run files, recent files and
// geometry in QSettings, watched run folders (kept in QSettings too), the status bar, and
// one tab per view. It owns the run store and
// the loader and forwards runs to the views; the views themselves live in their own files.
#pragma once

#include "ui/plot_export.h"
#include "ui/run_loader.h"
#include "ui/run_store.h"

#include <QDateTime>
#include <QMainWindow>
#include <QPointer>

#include <map>

class QMenu;
class QMessageBox;
class QTabWidget;
class QCustomPlot;
class QTimer;

namespace sweet::ui {

class CurveView;
class ExitTableView;
class HeatmapView;
class MonitorView;
class RunFolderWatcher;
class ReliabilityView;
class RunQueue;
class ExitExplorerView;
class RunsPanel;
class TaskPanelsView;
class SweepPanel;

// `path` with the extension of a file-dialog filter ("PDF (*.pdf)") when it has none.
QString withFilterExtension(const QString& path, const QString& filter);

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  void openRunFiles(const QStringList& paths);
  // Queues the training configs in these JSON files (as `sweet train` reads them, with
  // "key=value" overrides applied to each); returns one message per file that was refused.
  QStringList queueConfigFiles(const QStringList& paths, const QStringList& overrides = {});
  // Watches `dir` for run files (loaded once settled) and remembers it; false when it is
  // not a readable folder.
  bool watchFolder(const QString& dir);
  void stopWatchingFolders();
  RunFolderWatcher* folderWatcher() const { return watcher_; }
  RunStore* store() { return &store_; }
  RunLoader* loader() { return &loader_; }
  RunQueue* queue() const { return queue_; }
  CurveView* curveView() const { return curves_; }
  ExitTableView* tableView() const { return table_; }
  ExitExplorerView* explorerView() const { return explorer_; }
  HeatmapView* heatmapView() const { return heatmaps_; }
  MonitorView* monitorView() const { return monitor_; }
  TaskPanelsView* taskPanelsView() const { return tasks_; }
  SweepPanel* sweepPanel() const { return sweeps_; }
  // Which open runs the curves show, grouped and named how (a dock beside the tabs).
  RunsPanel* runsPanel() const { return runsPanel_; }
  ReliabilityView* reliabilityView() const { return reliability_; }
  QTabWidget* tabs() const { return tabs_; }
  // The plot of the current tab (nullptr on the table tab).
  QCustomPlot* currentPlot() const;
  // Skips the "stop running work?" question (tests, --screenshot).
  void setConfirmClose(bool confirm) { confirmClose_ = confirm; }
  // True between a confirmed quit and the moment the last run has stopped.
  bool isQuitting() const { return quitting_; }
  // Re-reads open run files that are still being written and have changed on disk.
  void reloadGrowingRuns();
  // File ▸ Export ▸ Current plot once a path is chosen: waits (the window live) for a
  // build the current tab still has in flight, so the file shows what was last asked for;
  // the curves get the keys their runs share as a caption. False with `error` set.
  bool exportCurrentPlot(const QString& path, FigureSize size, QString* error = nullptr);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void openDialog();
  void newExperiment();
  void exportFigure(bool twoColumn);
  bool waitForNewestContent(QWidget* tab, QString* error);
  void exportPlotCsv();
  void exportTable(bool latex);
  void addRecent(const QStringList& paths);
  void refreshRecentMenu();
  void onLoaded(const LoadBatch& batch);
  void notePretrainingFiles(const LoadBatch& batch);
  void showRuns();

  RunStore store_;
  RunLoader loader_;
  RunQueue* queue_;
  RunFolderWatcher* watcher_;
  QTabWidget* tabs_;
  CurveView* curves_;
  ExitTableView* table_;
  ExitExplorerView* explorer_;
  HeatmapView* heatmaps_;
  MonitorView* monitor_;
  TaskPanelsView* tasks_;
  SweepPanel* sweeps_;
  RunsPanel* runsPanel_;
  ReliabilityView* reliability_;
  QMenu* recentMenu_ = nullptr;
  QPointer<QMessageBox> pretrainingNote_;
  QStringList skippedPretraining_;  // every pre-training file met this session, in order
  QTimer* liveReload_;
  std::map<QString, std::pair<qint64, QDateTime>> fileStamps_;  // size, mtime when last read
  bool confirmClose_ = true;
  bool quitting_ = false;
  bool exporting_ = false;  // an export waits for a build: another one is not started meanwhile
  std::string shownEvaluations_, shownGradients_;  // what the curve/table and heatmap views show
};

}  // namespace sweet::ui
