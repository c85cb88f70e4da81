// The per-task figure (the paper's Figs. 6 and 10): one panel per task with every method's
// seed-mean speed-accuracy curve and 95% CI band, plus a panel with the average over tasks
// (Figs. 4 and 5), one shared legend below, exportable as one figure for a paper.
#pragma once

#include "ui/background_build.h"
#include "ui/run_loader.h"
#include "ui/task_panels_model.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCustomPlot;
class QLabel;

namespace sweet::ui {

class TaskPanelsView : public QWidget {
  Q_OBJECT
 public:
  explicit TaskPanelsView(QWidget* parent = nullptr);

  // Builds the panels' curves of `runs` (one CurveModel per task: ~0.5 s for 20 runs x
  // 10,000 instances) and draws them: at once (the default, for exports and views read
  // straight away) or, asynchronous, on a worker thread, the plot keeping its panels until
  // the newest request's are ready (the main window's view).
  void setRuns(const std::vector<RunPtr>& runs);
  void setAsync(bool async) { async_ = async; }
  // Panels requested and not drawn yet.
  bool computing() const { return builds_.busy(); }
  // Runs the event loop until the requested panels are drawn (true) or `timeoutMs` passes.
  bool waitForPanels(int timeoutMs = 60000);
  // Temperature-scaled exiting (the paper's, and the default) or raw softmax; rebuilds.
  void setCalibrated(bool calibrated);
  // Panels per row: 4 on screen and in a two-column figure, 2 in a one-column one; redraws
  // the panels shown.
  void setPanelColumns(int columns);

  QCustomPlot* plot() const { return plot_; }
  const TaskPanelsModel& model() const { return *model_; }
  int panelCount() const;                  // tasks, plus one for the average when shown
  QString panelTitle(int panel) const;     // "SST-2 (accuracy)", "Average over 7 tasks"
  QLabel* notesLabel() const { return notes_; }
  // Every drawn curve as CSV: panel, series, cost, score (CI bounds where seeds vary).
  QString panelsCsv() const;

 Q_SIGNALS:
  // An asynchronous build threw; the plot keeps what it showed. (A synchronous one throws.)
  void computationFailed(const QString& message);

 private:
  struct Request {
    std::vector<RunPtr> runs;
    CurveOptions options;
  };
  void compute();
  // The model of `request`, on any thread.
  static std::shared_ptr<TaskPanelsModel> build(const Request& request, const std::function<bool()>& stop);
  void draw(std::shared_ptr<const TaskPanelsModel> model);

  QCustomPlot* plot_;
  QLabel* notes_;
  std::shared_ptr<const TaskPanelsModel> model_;  // the drawn one; never null
  std::vector<RunPtr> runs_;
  std::vector<QString> titles_;
  bool calibrated_ = true;
  int columns_ = 4;
  bool async_ = false;
  BackgroundBuild<Request, TaskPanelsModel> builds_;
};

}  // namespace sweet::ui
