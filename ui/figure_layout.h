// Lays any plot out as a paper figure for the length of an export: paper fonts
// (PaperStyle), legends moved below the axes and wrapped to the page width, the page made
// taller when panels or a long legend would otherwise be squeezed, and fewer ticks on
// axes whose tick labels would run together ("0.20.40.60.8" at one column), and a caption
// under everything when one is given. Everything is put back when it goes out of scope, so
// the window keeps its own look.
#pragma once

#include "ui/figure_style.h"
#include "ui/plot_export.h"

#include <QPen>
#include <QSize>
#include <QString>

#include <map>
#include <vector>

class QCPAbstractPlottable;
class QCPAxisTicker;
class QCPLayoutInset;
class QCPLegend;
class QCPTextElement;

namespace sweet::ui {

class ElidedLegendItem;

class FigureLayout {
 public:
  // `caption`: a line under the figure (and its legend), wrapped to the page width.
  FigureLayout(QCustomPlot* plot, FigureSize size, const QString& caption = {});
  ~FigureLayout();
  FigureLayout(const FigureLayout&) = delete;
  FigureLayout& operator=(const FigureLayout&) = delete;

  // The figure's size in points: the column width, and the preset height or more.
  QSize size() const { return size_; }
  // Lays the plot out at size() again (element rects and tick vectors as exported).
  void relayout();

 private:
  struct MovedLegend {
    QCPLegend* legend;
    QCPLayoutInset* inset;
    Qt::Alignment alignment;
    QPen border;
  };
  struct LegendLook {
    QCPLegend* legend;
    int wrap;
    int fillOrder;
  };
  void moveLegendBelow();
  void addCaption(const QString& caption);
  void fitLegends();
  void wrapTitles();
  void growForPanels();
  void thinTicks();

  PaperStyle paper_;  // first member: restored (with a replot) after everything else
  QCustomPlot* plot_;
  QSize size_;
  std::vector<MovedLegend> moved_;
  QCPTextElement* caption_ = nullptr;  // added for the page, removed after
  std::vector<LegendLook> legends_;
  std::vector<std::pair<QCPAbstractPlottable*, QString>> names_;  // labels before wrapping
  std::vector<ElidedLegendItem*> unelided_;  // on-screen eliding, off for the page
  std::vector<std::pair<QCPTextElement*, QString>> titles_;        // titles before wrapping
  std::map<QCPAxisTicker*, int> tickCounts_;                       // tick counts before thinning
};

// Greedy word wrap of `text` into lines of at most `width` units of `font` ('\n' between
// lines); a single word wider than `width` keeps a line of its own.
QString wrapLabel(const QString& text, const QFont& font, int width);

}  // namespace sweet::ui
