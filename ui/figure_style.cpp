// Paper-size figure styling and legend placement: see figure_style.h.
#include "ui/figure_style.h"

#include "ui/qcustomplot_include.h"

#include <algorithm>

namespace sweet::ui {
namespace {

QFont sized(QFont font, int pixels) {
  // Pixel size, not point size: an export maps 1 layout unit to 1 pt whatever the device's
  // dpi, so a pixel-sized font is the same number of points in PDF, SVG and PNG.
  font.setPixelSize(pixels);
  return font;
}

}  // namespace

PaperStyle::PaperStyle(QCustomPlot* plot) : plot_(plot) {
  std::vector<QCPAxis*> axes;
  for (QCPAxisRect* rect : plot->axisRects())
    for (QCPAxis* axis : rect->axes()) axes.push_back(axis);
  for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
    if (auto* scale = qobject_cast<QCPColorScale*>(element)) axes.push_back(scale->axis());
    if (auto* title = qobject_cast<QCPTextElement*>(element)) {
      titles_.push_back({title, title->font()});
      title->setFont(sized(title->font(), 8));
    }
  }
  for (QCPAxis* axis : axes) {
    axes_.push_back({axis, axis->tickLabelFont(), axis->labelFont()});
    axis->setTickLabelFont(sized(axis->tickLabelFont(), 7));
    axis->setLabelFont(sized(axis->labelFont(), 8));
  }
  for (int i = 0; i < plot->graphCount(); ++i) {
    QCPGraph* graph = plot->graph(i);
    QCPScatterStyle scatter = graph->scatterStyle();
    graphs_.push_back({graph, graph->pen(), scatter.size(), scatter.pen()});
    QPen pen = graph->pen();
    pen.setWidthF(std::min(pen.widthF(), 1.25));
    graph->setPen(pen);
    if (!scatter.isNone()) {
      QPen outline = scatter.pen();
      outline.setWidthF(std::min(outline.widthF(), 0.75));
      scatter.setPen(outline);
      scatter.setSize(std::min(scatter.size(), 5.0));
      graph->setScatterStyle(scatter);
    }
  }
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) {
      texts_.push_back({text, text->font()});
      text->setFont(sized(text->font(), 6));  // cell values: smaller than tick labels
    }
  if (plot->legend) {  // null once a view has cleared the plot layout (the heatmaps do)
    legendFont_ = plot->legend->font();
    legendIcon_ = plot->legend->iconSize();
    plot->legend->setFont(sized(legendFont_, 7));
    plot->legend->setIconSize(16, 8);
  }
}

PaperStyle::~PaperStyle() {
  for (const AxisFonts& a : axes_) {
    a.axis->setTickLabelFont(a.tickLabel);
    a.axis->setLabelFont(a.label);
  }
  for (const TitleFont& t : titles_) t.title->setFont(t.font);
  for (const auto& [text, font] : texts_) text->setFont(font);
  for (const GraphLook& g : graphs_) {
    g.graph->setPen(g.pen);
    QCPScatterStyle scatter = g.graph->scatterStyle();
    scatter.setSize(g.scatterSize);
    scatter.setPen(g.scatterPen);
    g.graph->setScatterStyle(scatter);
  }
  if (plot_->legend) {
    plot_->legend->setFont(legendFont_);
    plot_->legend->setIconSize(legendIcon_);
  }
  plot_->replot();  // the export left the layout at figure size; the window needs its own
}

void placeLegendInEmptiestCorner(QCustomPlot* plot) {
  QCPLegend* legend = plot->legend;
  QCPAxisRect* rect = plot->axisRect();
  if (!legend || !legend->visible() || !rect) return;
  QCPLayoutInset* inset = rect->insetLayout();
  int index = -1;
  for (int i = 0; i < inset->elementCount(); ++i)
    if (inset->elementAt(i) == legend) index = i;
  if (index < 0) return;

  const QSize size = legend->minimumOuterSizeHint();
  const QRect area = inset->rect();  // the axis rect less the inset's margins
  const Qt::Alignment corners[] = {Qt::AlignBottom | Qt::AlignRight, Qt::AlignBottom | Qt::AlignLeft,
                                   Qt::AlignTop | Qt::AlignRight, Qt::AlignTop | Qt::AlignLeft};
  QRect boxes[4];
  for (int c = 0; c < 4; ++c) {
    const int x = corners[c] & Qt::AlignRight ? area.right() - size.width() : area.left();
    const int y = corners[c] & Qt::AlignBottom ? area.bottom() - size.height() : area.top();
    boxes[c] = QRect(QPoint(x, y), size);
  }
  int counts[4] = {0, 0, 0, 0};
  for (int g = 0; g < plot->graphCount(); ++g) {
    const QCPGraph* graph = plot->graph(g);
    if (!graph->visible() || graph->lineStyle() == QCPGraph::lsNone || graph->keyAxis()->axisRect() != rect) continue;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
      const QPointF p(graph->keyAxis()->coordToPixel(it->key), graph->valueAxis()->coordToPixel(it->value));
      for (int c = 0; c < 4; ++c) counts[c] += boxes[c].contains(p.toPoint());
    }
  }
  const int best = static_cast<int>(std::min_element(counts, counts + 4) - counts);
  if (inset->insetAlignment(index) == corners[best]) return;
  inset->setInsetAlignment(index, corners[best]);
  inset->update(QCPLayoutElement::upLayout);  // this layout pass has already placed it
}

void keepLegendClearOfData(QCustomPlot* plot) {
  QObject::connect(plot, &QCustomPlot::afterLayout, plot, [plot] { placeLegendInEmptiestCorner(plot); });
}

}  // namespace sweet::ui
