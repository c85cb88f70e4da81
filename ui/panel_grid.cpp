// Small-multiples layout: see panel_grid.h.
#include "ui/panel_grid.h"

#include <algorithm>

namespace sweet::ui {

PanelGrid::PanelGrid(QCustomPlot* plot, int row, int columns)
    : plot_(plot), grid_(new QCPLayoutGrid), legend_(new QCPLegend), margins_(new QCPMarginGroup(plot)),
      columns_(std::max(1, columns)) {
  plot->plotLayout()->addElement(row, 0, grid_);
  plot->plotLayout()->addElement(row + 1, 0, legend_);
  plot->plotLayout()->setRowStretchFactor(row + 1, 0.001);
  legend_->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  legend_->setBorderPen(Qt::NoPen);
}

QCPAxisRect* PanelGrid::addPanel(int index, const QString& title, const QFont& titleFont) {
  const int row = 2 * (index / columns_), col = index % columns_;
  grid_->addElement(row, col, new QCPTextElement(plot_, title, titleFont));
  grid_->setRowStretchFactor(row, 0.001);
  auto* rect = new QCPAxisRect(plot_);
  grid_->addElement(row + 1, col, rect);
  rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins_);
  // The hidden top axis needs no margin; the top tick label's upper half does, no more
  // (the automatic 15 pt put a gap under every title).
  rect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msBottom);
  rect->setMargins(QMargins(0, 6, 0, 0));
  return rect;
}

}  // namespace sweet::ui
