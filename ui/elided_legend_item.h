// A legend entry whose text is cut with "…" to a share of the plot's width, so a long
// series label can neither push the legend past the figure nor squeeze the axes; the
// plottable keeps its full name (CSV, tooltips). The share follows the plot's current
// viewport, so a paper-size export elides to its own width, not the window's.
#pragma once

#include "ui/qcustomplot_include.h"

namespace sweet::ui {

class ElidedLegendItem : public QCPPlottableLegendItem {
 public:
  // `columns`: how many entries share a row; each gets at most 1/columns of the width.
  ElidedLegendItem(QCPLegend* legend, QCPAbstractPlottable* plottable, int columns);
  // The text as drawn (the plottable's name, elided when it does not fit).
  QString shownText() const;
  bool isElided() const { return shownText() != mPlottable->name(); }
  // Off while a figure is laid out for export: there labels wrap (FigureLayout) instead of
  // losing their ends, since a printed page has no tooltip to show the rest.
  void setEliding(bool on) { eliding_ = on; }
  bool eliding() const { return eliding_; }

 protected:
  void draw(QCPPainter* painter) override;
  QSize minimumOuterSizeHint() const override;

 private:
  int textBudget() const;
  int columns_;
  bool eliding_ = true;
};

}  // namespace sweet::ui
