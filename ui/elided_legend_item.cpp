// Elided legend entries: see elided_legend_item.h.
#include "ui/elided_legend_item.h"

#include <algorithm>

namespace sweet::ui {

ElidedLegendItem::ElidedLegendItem(QCPLegend* legend, QCPAbstractPlottable* plottable, int columns)
    : QCPPlottableLegendItem(legend, plottable), columns_(std::max(1, columns)) {}

int ElidedLegendItem::textBudget() const {
  const int width = mParentPlot->viewport().width();
  const int perEntry = width * 9 / 10 / columns_;  // a tenth left for the legend's own margins
  return std::max(40, perEntry - mParentLegend->iconSize().width() - mParentLegend->iconTextPadding() -
                          mMargins.left() - mMargins.right());
}

QString ElidedLegendItem::shownText() const {
  if (!eliding_) return mPlottable->name();
  return QFontMetrics(getFont()).elidedText(mPlottable->name(), Qt::ElideRight, textBudget());
}

// QCustomPlot draws an entry from its plottable's name (and only a legend item may draw
// the icon), so the base class draws while the name is the elided text; setName is a plain
// assignment (no signal, no replot).
void ElidedLegendItem::draw(QCPPainter* painter) {
  const QString full = mPlottable->name();
  mPlottable->setName(shownText());
  QCPPlottableLegendItem::draw(painter);
  mPlottable->setName(full);
}

QSize ElidedLegendItem::minimumOuterSizeHint() const {
  const QString full = mPlottable->name();
  mPlottable->setName(shownText());
  const QSize size = QCPPlottableLegendItem::minimumOuterSizeHint();
  mPlottable->setName(full);
  return size;
}

}  // namespace sweet::ui
