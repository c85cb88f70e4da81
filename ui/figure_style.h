// Keeps figures legible at paper sizes. An export lays the plot out at 252 x 187 units
// (one column, 1 unit = 1 pt) with fonts and markers sized for a 900-pixel window, so text
// came out at ~10 pt and markers at 12 pt; PaperStyle sets paper sizes for the duration
// of an export and restores the screen look after. The legend goes to the corner of the
// axis rect that covers the fewest data points, re-chosen at every layout.
#pragma once

#include <QFont>
#include <QPen>
#include <QSize>

#include <vector>

class QCustomPlot;
class QCPAxis;
class QCPGraph;
class QCPTextElement;
class QCPItemText;

namespace sweet::ui {

// Paper sizes in figure units (points when exported): tick labels 7, axis labels and
// titles 8, legend 7, markers 5, lines at most 1.25.
class PaperStyle {
 public:
  explicit PaperStyle(QCustomPlot* plot);
  ~PaperStyle();
  PaperStyle(const PaperStyle&) = delete;
  PaperStyle& operator=(const PaperStyle&) = delete;

 private:
  struct AxisFonts {
    QCPAxis* axis;
    QFont tickLabel, label;
  };
  struct GraphLook {
    QCPGraph* graph;
    QPen pen;
    double scatterSize;
    QPen scatterPen;
  };
  std::vector<std::pair<QCPItemText*, QFont>> texts_;
  struct TitleFont {
    QCPTextElement* title;
    QFont font;
  };
  QCustomPlot* plot_;
  std::vector<AxisFonts> axes_;
  std::vector<GraphLook> graphs_;
  std::vector<TitleFont> titles_;
  QFont legendFont_;
  QSize legendIcon_;
};

// Moves the legend (when it sits in the axis rect's inset layout) to the corner whose
// legend-sized box contains the fewest points of line graphs; ties keep the earlier of
// bottom-right, bottom-left, top-right, top-left. Graphs without a line (markers) do not
// count, so the legend does not jump while a marker is dragged.
void placeLegendInEmptiestCorner(QCustomPlot* plot);
// Calls placeLegendInEmptiestCorner after every layout of `plot` (any size, any export).
void keepLegendClearOfData(QCustomPlot* plot);

}  // namespace sweet::ui
