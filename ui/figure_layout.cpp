// Paper-figure layout for an export: see figure_layout.h.
#include "ui/figure_layout.h"

#include "ui/elided_legend_item.h"
#include "ui/qcustomplot_include.h"

#include <QFontMetrics>

#include <algorithm>
#include <cmath>
#include <set>
#include <typeinfo>

namespace sweet::ui {
namespace {

// A panel shorter than this (points) has no room for a curve between its tick labels.
constexpr int kMinPanelHeight = 80;
// No figure grows past a page's text height less a caption (9 in).
constexpr int kMaxHeight = 648;
// Tick labels closer than this (points) read as one number.
constexpr double kTickLabelGap = 4;

std::vector<QCPLegend*> legendsOf(QCustomPlot* plot) {
  std::vector<QCPLegend*> out;
  for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
    if (auto* legend = qobject_cast<QCPLegend*>(e); legend && legend->visible()) out.push_back(legend);
  if (plot->legend && plot->legend->visible() && std::find(out.begin(), out.end(), plot->legend) == out.end())
    out.push_back(plot->legend);
  return out;
}

// Axis rects that draw data (a colour scale's inner rect draws none).
std::vector<QCPAxisRect*> panelsOf(QCustomPlot* plot) {
  std::vector<QCPAxisRect*> out;
  for (QCPAxisRect* rect : plot->axisRects())
    if (!rect->plottables().isEmpty()) out.push_back(rect);
  return out;
}

// Axes whose tick labels are drawn: every panel's visible axes and the colour scales'.
std::vector<QCPAxis*> labelledAxes(QCustomPlot* plot) {
  std::vector<QCPAxis*> out;
  for (QCPAxisRect* rect : panelsOf(plot))
    for (QCPAxis* axis : rect->axes())
      if (axis->visible() && axis->tickLabels()) out.push_back(axis);
  for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
    if (auto* scale = qobject_cast<QCPColorScale*>(e); scale && scale->axis()->tickLabels()) out.push_back(scale->axis());
  return out;
}

// Plain numeric tickers only: text tickers name categories (every label is wanted) and the
// speedup ticker already picks the ticks that fit.
bool thinnable(const QCPAxisTicker* ticker) {
  return typeid(*ticker) == typeid(QCPAxisTicker) || typeid(*ticker) == typeid(QCPAxisTickerLog);
}

// Whether two neighbouring tick labels of `axis` (as last laid out) overlap along it.
bool tickLabelsCollide(const QCPAxis* axis) {
  const QVector<double> ticks = axis->tickVector();
  const QVector<QString> labels = axis->tickVectorLabels();
  const QFontMetrics fm(axis->tickLabelFont());
  const bool horizontal = axis->orientation() == Qt::Horizontal;
  for (int i = 1; i < ticks.size() && i < labels.size(); ++i) {
    const double gap = std::abs(axis->coordToPixel(ticks[i]) - axis->coordToPixel(ticks[i - 1]));
    const double need = horizontal ? (fm.horizontalAdvance(labels[i]) + fm.horizontalAdvance(labels[i - 1])) / 2.0
                                   : fm.height();
    if (gap < need + kTickLabelGap) return true;
  }
  return false;
}

int lineCount(const QString& text) { return static_cast<int>(text.count(QLatin1Char('\n'))) + 1; }

}  // namespace

QString wrapLabel(const QString& text, const QFont& font, int width) {
  const QFontMetrics fm(font);
  QStringList lines;
  QString line;
  for (const QString& word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    const QString candidate = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
    if (!line.isEmpty() && fm.horizontalAdvance(candidate) > width) {
      lines << line;
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.isEmpty()) lines << line;
  return lines.join(QLatin1Char('\n'));
}

FigureLayout::FigureLayout(QCustomPlot* plot, FigureSize size, const QString& caption)
    : paper_(plot), plot_(plot), size_(figureSizePoints(size)) {
  moveLegendBelow();
  addCaption(caption);
  fitLegends();
  relayout();
  wrapTitles();
  growForPanels();
  thinTicks();
}

FigureLayout::~FigureLayout() {
  for (const auto& [ticker, count] : tickCounts_) ticker->setTickCount(count);
  for (const auto& [plottable, name] : names_) plottable->setName(name);
  for (ElidedLegendItem* item : unelided_) item->setEliding(true);
  for (const auto& [title, text] : titles_) title->setText(text);
  if (caption_) {  // after the titles: wrapTitles may have noted it among them
    plot_->plotLayout()->remove(caption_);
    plot_->plotLayout()->simplify();  // drops its row
  }
  for (const LegendLook& l : legends_) {
    l.legend->setWrap(l.wrap);
    l.legend->setFillOrder(static_cast<QCPLayoutGrid::FillOrder>(l.fillOrder), true);
  }
  for (const MovedLegend& m : moved_) {
    plot_->plotLayout()->take(m.legend);
    plot_->plotLayout()->simplify();  // drops the row the legend had below the axes
    m.inset->addElement(m.legend, m.alignment);
    m.legend->setBorderPen(m.border);
  }
  // paper_ is destroyed next: fonts back, then a replot at the window's size.
}

void FigureLayout::relayout() { plot_->toPixmap(size_.width(), size_.height(), 1.0); }

void FigureLayout::moveLegendBelow() {
  // A legend inside the axes covers data at paper size however its corner is chosen; below
  // the axes it costs height, which growForPanels gives back.
  QCPLegend* legend = plot_->legend;
  if (!legend || !legend->visible()) return;
  for (QCPAxisRect* rect : plot_->axisRects()) {
    QCPLayoutInset* inset = rect->insetLayout();
    for (int i = 0; i < inset->elementCount(); ++i) {
      if (inset->elementAt(i) != legend) continue;
      moved_.push_back({legend, inset, inset->insetAlignment(i), legend->borderPen()});
      legend->setBorderPen(Qt::NoPen);  // a frame as wide as the page would touch its edges
      inset->take(legend);
      inset->simplify();
      QCPLayoutGrid* grid = plot_->plotLayout();
      const int row = grid->rowCount();
      grid->insertRow(row);
      grid->addElement(row, 0, legend);
      grid->setRowStretchFactor(row, 0.001);  // its text's height, no more
      return;
    }
  }
}

void FigureLayout::addCaption(const QString& caption) {
  // A row of its own under the legend: the page's width to wrap in (wrapTitles), its
  // text's height (growForPanels gives the panels theirs back).
  if (caption.isEmpty()) return;
  QFont font = plot_->font();
  font.setPixelSize(7);  // the legend's size: a note on the figure, not a title
  caption_ = new QCPTextElement(plot_, caption, font);
  QCPLayoutGrid* grid = plot_->plotLayout();
  const int row = grid->rowCount();
  grid->insertRow(row);
  grid->addElement(row, 0, caption_);
  grid->setRowStretchFactor(row, 0.001);
}

void FigureLayout::fitLegends() {
  for (QCPLegend* legend : legendsOf(plot_)) {
    legends_.push_back({legend, legend->wrap(), static_cast<int>(legend->fillOrder())});
    std::vector<QCPPlottableLegendItem*> items;
    for (int i = 0; i < legend->itemCount(); ++i)
      if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(i))) items.push_back(item);
    if (items.empty()) continue;
    for (QCPPlottableLegendItem* item : items)
      if (auto* elided = dynamic_cast<ElidedLegendItem*>(item); elided && elided->eliding()) {
        elided->setEliding(false);  // wrapped below instead
        unelided_.push_back(elided);
      }
    const QFontMetrics fm(legend->font());
    int overhead = 0;
    for (QCPPlottableLegendItem* item : items) {
      // What QCPPlottableLegendItem adds to its text: the icon, its padding, the margins.
      overhead = std::max(overhead, legend->iconSize().width() + legend->iconTextPadding() + item->margins().left() +
                                        item->margins().right());
    }
    const int available = size_.width() - legend->margins().left() - legend->margins().right() - 8;
    const int spacing = legend->columnSpacing();
    // As many columns as labels allow when each may wrap to two lines; one column otherwise.
    int columns = 1, textWidth = available - overhead;
    for (int c = std::min<int>(static_cast<int>(items.size()), 8); c > 1; --c) {
      const int width = (available - (c - 1) * spacing) / c - overhead;
      const bool fits = std::all_of(items.begin(), items.end(), [&](QCPPlottableLegendItem* item) {
        const QString wrapped = wrapLabel(item->plottable()->name(), legend->font(), width);
        return width > 0 && lineCount(wrapped) <= 2 && fm.boundingRect(QRect(), 0, wrapped).width() <= width;
      });
      if (fits) {
        columns = c;
        textWidth = width;
        break;
      }
    }
    for (QCPPlottableLegendItem* item : items) {
      const QString name = item->plottable()->name();
      if (fm.horizontalAdvance(name) <= textWidth) continue;
      names_.push_back({item->plottable(), name});
      item->plottable()->setName(wrapLabel(name, legend->font(), std::max(1, textWidth)));
    }
    legend->setWrap(columns);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
  }
}

void FigureLayout::wrapTitles() {
  // A caption or panel title wider than its cell would be cut at the page edge or run into
  // its neighbour's: it breaks into lines at the cell's width instead.
  bool changed = false;
  for (QCPLayoutElement* e : plot_->plotLayout()->elements(true)) {
    auto* title = qobject_cast<QCPTextElement*>(e);
    if (!title || title->text().isEmpty()) continue;
    const int width = title->rect().width() - 2;
    if (QFontMetrics(title->font()).horizontalAdvance(title->text()) <= width) continue;
    titles_.push_back({title, title->text()});
    title->setText(wrapLabel(title->text(), title->font(), width));
    changed = true;
  }
  if (changed) relayout();
}

void FigureLayout::growForPanels() {
  const std::vector<QCPAxisRect*> panels = panelsOf(plot_);
  if (panels.empty()) return;
  int shortest = kMaxHeight;
  std::set<int> rows;
  for (QCPAxisRect* rect : panels) {
    shortest = std::min(shortest, rect->height());
    rows.insert(rect->top());
  }
  if (shortest >= kMinPanelHeight) return;
  size_.setHeight(std::min(kMaxHeight, size_.height() + (kMinPanelHeight - shortest) * static_cast<int>(rows.size())));
  relayout();
}

void FigureLayout::thinTicks() {
  // Fewer ticks until neighbouring labels stand apart; a ticker's count is a target it
  // rounds to a readable step, so each change is checked on a fresh layout.
  for (int pass = 0; pass < 6; ++pass) {
    bool changed = false;
    for (QCPAxis* axis : labelledAxes(plot_)) {
      QCPAxisTicker* ticker = axis->ticker().data();
      if (!ticker || !thinnable(ticker) || ticker->tickCount() <= 2 || !tickLabelsCollide(axis)) continue;
      tickCounts_.emplace(ticker, ticker->tickCount());
      ticker->setTickCount(ticker->tickCount() - 1);
      changed = true;
    }
    if (!changed) return;
    relayout();
  }
}

}  // namespace sweet::ui
