// Gradient-conflict heatmaps (Fig. 3/9): for one run, one exits x exits colour map per
// recorded layer of the pairwise cosine similarities in /gradients, on a diverging scale
// fixed to [-1, 1] with its legend, undefined (NaN) cells in grey, the cell value on
// hover, a step slider, and an optional average over a window of steps. Runs training in
// the queue show up as "(training)" entries that grow with every gradient record.
#pragma once

#include "ui/run_loader.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPLayoutGrid;
class QCPTextElement;
class QCPItemText;
class QLabel;
class QMouseEvent;
class QSlider;
class QSpinBox;

namespace sweet::ui {

class RunQueue;

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  void setRuns(const std::vector<RunPtr>& runs);
  // Shows the gradient records of `queue`'s runs as they arrive (throttled by the queue);
  // a run's live entry gives way to its file once the file is among setRuns' runs.
  void watchQueue(RunQueue* queue);
  QCustomPlot* plot() const { return plot_; }
  QComboBox* runSelector() const { return runCombo_; }
  QSlider* stepSlider() const { return stepSlider_; }
  QCheckBox* followLatest() const { return follow_; }
  QCheckBox* showValues() const { return values_; }
  // Which probe batch's records are shown: 0 the first, 1 the second (Fig. 9: does the
  // picture hold on other data?), 2 a pcgrad run's first-probe records after surgery;
  // enabled only for runs that recorded a second probe or projected records.
  QComboBox* probeSelector() const { return probe_; }
  QSpinBox* windowSpin() const { return window_; }
  // Panels per row: 0 puts every layer in one row (the screen); an export one column
  // wide uses 2 so panels keep a readable size. Re-lays out the current run.
  void setPanelColumns(int columns);
  // The caption above the maps, in exports too: "run name · step 30" (· the probe batch).
  QString figureCaption() const;
  // The value printed in a cell ("0.12", "–" for undefined), as on screen and in exports.
  QString cellValueText(int layerIndex, int row, int col) const;

  // The run shown (nullptr when no loaded run has gradient records).
  const LoadedRun* currentRun() const;
  int colorMapCount() const { return static_cast<int>(maps_.size()); }
  QCPColorMap* colorMap(int layerIndex) const { return maps_.at(static_cast<size_t>(layerIndex)); }
  // Text shown for the cell under a widget position ("" outside any cell).
  QString cellTextAt(const QPoint& plotPos) const;
  QString heatmapCsv() const;

 private:
  struct LiveRun {
    int id = 0;
    RunPtr run;    // a snapshot of the queue's records; data.path is "live:<id>"
    QString file;  // the run file, once the run has ended
  };
  void refreshRunList();
  void onLiveRecords(int id);
  void rebuildMaps();
  void updateCurrentRecords();
  void fillMaps();
  void onMouseMove(QMouseEvent* event);
  void placeColorScale(QCPLayoutGrid* panels, QCPColorScale* scale, int layers, int columns);
  const analysis::GradientRecords& records(const LoadedRun& run) const;

  std::vector<RunPtr> fileRuns_;   // opened runs with gradient records
  std::vector<LiveRun> live_;
  std::vector<RunPtr> runs_;       // what the selector lists: fileRuns_ then live_
  RunQueue* queue_ = nullptr;
  QComboBox* runCombo_;
  QComboBox* probe_;
  QSlider* stepSlider_;
  QLabel* stepLabel_;
  QSpinBox* window_;
  QCheckBox* follow_;
  QCheckBox* values_;
  int panelColumns_ = 0;
  std::vector<std::vector<QCPItemText*>> valueItems_;  // [layer][row * exits + col]
  QLabel* hover_;
  QCustomPlot* plot_;
  std::vector<QCPColorMap*> maps_;
  QCPTextElement* caption_ = nullptr;
};

}  // namespace sweet::ui
