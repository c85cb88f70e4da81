// The Runs tab: one row per run the workbench knows, both the queue's (state, progress bar,
// step, ETA, examples/s, latest message) and run files opened from disk that have not
// finished (their state, steps and why their evaluation is missing, re-read as they grow).
// Stop / Pause per run, Remove, the queue's Pause and parallel-run count (in QSettings),
// and the per-exit training-loss curves of the selected run, named by layer, optionally
// smoothed, with the legend outside the data.
#pragma once

#include "ui/run_loader.h"

#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

class QCPItemText;
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

  // Run files open in the workbench; those the queue did not produce get rows of their own.
  void setOpenedRuns(const std::vector<RunPtr>& runs);

  QCustomPlot* plot() const { return plot_; }
  // The note shown in place of curves while the selected row has none (or none is selected).
  QCPItemText* emptyNote() const { return emptyNote_; }
  QTableWidget* table() const { return table_; }
  int selectedRunId() const;           // queue id of the selected row, 0 for none or a file
  int rowOfRun(int id) const;          // row of a queue run, -1 if absent
  void selectRun(int id);
  QPushButton* stopButton() const { return stop_; }
  QPushButton* pauseRunButton() const { return pauseRun_; }
  QPushButton* removeButton() const { return remove_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* pauseButton() const { return pause_; }
  QSpinBox* parallelSpin() const { return parallel_; }
  QSpinBox* smoothingSpin() const { return smoothing_; }

 private:
  struct Row {
    int queueId = 0;  // 0: an opened file
    RunPtr file;
  };
  void rebuildTable();
  void fillRow(int row);
  void updateRun(int id);
  void updateButtons();
  void showSelectedLosses();
  // The selected row's run, when it is a file opened from disk; null otherwise.
  const LoadedRun* selectedFile() const;
  // Resumes the selected row: the queue's own run, or an opened file taken into the queue.
  void resumeSelected();
  // Draws `losses` for the run `key`; when the same run is already drawn and has only
  // grown, appends the new steps instead of redrawing (a long run reports every step).
  void plotLosses(const std::string& key, const std::vector<std::vector<float>>& losses,
                  const std::vector<int64_t>& exitLayers);
  // Puts the legend under the axes while there are curves; otherwise the note instead.
  void showLegend(bool show);

  RunQueue* queue_;
  std::vector<RunPtr> opened_;
  std::vector<Row> rows_;
  QTableWidget* table_;
  QPushButton* stop_;
  QPushButton* pauseRun_;
  QPushButton* remove_;
  QPushButton* resume_;
  QPushButton* pause_;
  QSpinBox* parallel_;
  QSpinBox* smoothing_;
  QCustomPlot* plot_;
  QCPItemText* emptyNote_;
  std::string plottedKey_;
  size_t plottedSteps_ = 0;
  int plottedWindow_ = 0;
};

}  // namespace sweet::ui
