// The small-multiples layout of the Per task and Reliability figures: a grid of panels, each
// a title row over an axis rect, with one legend row below the grid (outside every panel's
// axes, so exports can wrap it to the page). Panels' left/right margins are aligned.
#pragma once

#include "ui/qcustomplot_include.h"

namespace sweet::ui {

class PanelGrid {
 public:
  // Adds the grid at `row` of the plot's layout and the legend in the row under it.
  PanelGrid(QCustomPlot* plot, int row, int columns);
  // Panel `index` (row-major over `columns`): its title element and its axis rect.
  QCPAxisRect* addPanel(int index, const QString& title, const QFont& titleFont);
  QCPLegend* legend() const { return legend_; }

 private:
  QCustomPlot* plot_;
  QCPLayoutGrid* grid_;
  QCPLegend* legend_;
  QCPMarginGroup* margins_;
  int columns_;
};

}  // namespace sweet::ui
