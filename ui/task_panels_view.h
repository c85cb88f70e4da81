// The per-task figure (the paper's Figs. 6 and 10): one panel per task with every method's
// seed-mean speed-accuracy curve and 95% CI band, plus a panel with the average over tasks
// (Figs. 4 and 5), one shared legend below, exportable as one figure for a paper.
#pragma once

#include "ui/run_loader.h"
#include "ui/task_panels_model.h"

#include <QWidget>

class QCustomPlot;
class QLabel;

namespace sweet::ui {

class TaskPanelsView : public QWidget {
  Q_OBJECT
 public:
  explicit TaskPanelsView(QWidget* parent = nullptr);

  void setRuns(const std::vector<RunPtr>& runs);
  // Temperature-scaled exiting (the paper's, and the default) or raw softmax; rebuilds.
  void setCalibrated(bool calibrated);
  // Panels per row: 4 on screen and in a two-column figure, 2 in a one-column one.
  void setPanelColumns(int columns);

  QCustomPlot* plot() const { return plot_; }
  const TaskPanelsModel& model() const { return model_; }
  int panelCount() const;                  // tasks, plus one for the average when shown
  QString panelTitle(int panel) const;     // "SST-2 (accuracy)", "Average over 7 tasks"
  QLabel* notesLabel() const { return notes_; }
  // Every drawn curve as CSV: panel, series, cost, score (CI bounds where seeds vary).
  QString panelsCsv() const;

 private:
  void rebuild();

  QCustomPlot* plot_;
  QLabel* notes_;
  TaskPanelsModel model_;
  std::vector<RunPtr> runs_;
  std::vector<QString> titles_;
  bool calibrated_ = true;
  int columns_ = 4;
};

}  // namespace sweet::ui
