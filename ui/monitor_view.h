// Live monitoring of the run queue: one row per run (state, progress bar, step, ETA,
// examples/s) with stop/remove buttons, the queue's pause button and parallel-run count
// (kept in QSettings), and the per-exit training-loss curves of the selected run,
// appended as the queue's throttled updates arrive.
#pragma once

#include <QWidget>

class QCustomPlot;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sweet::ui {

class RunQueue;

class MonitorView : public QWidget {
  Q_OBJECT
 public:
  explicit MonitorView(RunQueue* queue, QWidget* parent = nullptr);

  QCustomPlot* plot() const { return plot_; }
  QTableWidget* table() const { return table_; }
  int selectedRunId() const;
  QPushButton* pauseButton() const { return pause_; }
  QSpinBox* parallelSpin() const { return parallel_; }

 private:
  void rebuildTable();
  void updateRow(int id);
  void showLosses(int id);
  void appendLosses(int id, int firstNewStep);

  RunQueue* queue_;
  QTableWidget* table_;
  QPushButton* stop_;
  QPushButton* remove_;
  QPushButton* pause_;
  QSpinBox* parallel_;
  QCustomPlot* plot_;
  int plotted_ = 0;  // run id whose losses are on the plot
};

}  // namespace sweet::ui
