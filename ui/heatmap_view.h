// Gradient-conflict heatmaps (Fig. 3/9): for one run, one exits x exits colour map per
// recorded layer of the pairwise cosine similarities in /gradients, on a diverging scale
// fixed to [-1, 1] with its legend, undefined (NaN) cells in grey, the cell value on
// hover, a step slider, and an optional average over a window of steps.
#pragma once

#include "ui/run_loader.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QLabel;
class QMouseEvent;
class QSlider;
class QSpinBox;

namespace sweet::ui {

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  void setRuns(const std::vector<RunPtr>& runs);
  QCustomPlot* plot() const { return plot_; }
  QComboBox* runSelector() const { return runCombo_; }
  QSlider* stepSlider() const { return stepSlider_; }

  // The run shown (nullptr when no loaded run has gradient records).
  const LoadedRun* currentRun() const;
  int colorMapCount() const { return static_cast<int>(maps_.size()); }
  QCPColorMap* colorMap(int layerIndex) const { return maps_.at(static_cast<size_t>(layerIndex)); }
  // Text shown for the cell under a widget position ("" outside any cell).
  QString cellTextAt(const QPoint& plotPos) const;
  QString heatmapCsv() const;

 private:
  void rebuildMaps();
  void fillMaps();
  void onMouseMove(QMouseEvent* event);

  std::vector<RunPtr> runs_;       // only runs with gradient records
  QComboBox* runCombo_;
  QSlider* stepSlider_;
  QLabel* stepLabel_;
  QSpinBox* window_;
  QCheckBox* follow_;
  QLabel* hover_;
  QCustomPlot* plot_;
  std::vector<QCPColorMap*> maps_;
};

}  // namespace sweet::ui
