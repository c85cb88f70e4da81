// Speed-accuracy view: see curve_view.h.
#include "ui/curve_view.h"

#include "ui/figure_style.h"
#include "ui/plot_style.h"
#include "ui/qcustomplot_include.h"
#include "ui/speedup_axis.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QTextStream>
#include <QVBoxLayout>

#include <cmath>

namespace sweet::ui {
namespace {

// The paper's fixed cost fractions for the readout table.
const double kFixedRatios[] = {1.0 / 12.0, 0.25, 0.5, 0.75, 1.0};
const char* kFixedRatioNames[] = {"1/12", "1/4", "1/2", "3/4", "1"};

}  // namespace

CurveView::CurveView(QWidget* parent) : QWidget(parent) {
  plot_ = new QCustomPlot(this);
  plot_->setToolTip(tr("Speed-accuracy curves: drag a marker along its curve to change that method's exit threshold"));
  plot_->xAxis->setLabel(tr("cost fraction (1 = full model)"));
  plot_->yAxis->setLabel(tr("score"));
  plot_->xAxis2->setVisible(true);
  plot_->xAxis2->setLabel(tr("speedup ×"));
  plot_->xAxis2->setTicker(QSharedPointer<SpeedupTicker>::create(plot_->xAxis2));
  plot_->legend->setVisible(true);
  keepLegendClearOfData(plot_);
  connect(plot_->xAxis, QOverload<const QCPRange&>::of(&QCPAxis::rangeChanged), plot_->xAxis2,
          QOverload<const QCPRange&>::of(&QCPAxis::setRange));
  connect(plot_, &QCustomPlot::mousePress, this, &CurveView::onMousePress);
  connect(plot_, &QCustomPlot::mouseMove, this, &CurveView::onMouseMove);
  connect(plot_, &QCustomPlot::mouseRelease, this, &CurveView::onMouseRelease);

  auto* side = new QWidget(this);
  readoutLayout_ = new QVBoxLayout(side);
  shared_ = new QCheckBox(tr("Drag all markers together"), side);
  shared_->setToolTip(tr("Shared mode: moving one threshold sets the same threshold on every method"));
  readoutLayout_->addWidget(shared_);
  readoutLayout_->addStretch();

  fixedTable_ = new QTableWidget(this);
  fixedTable_->setToolTip(tr("Seed-mean score (± 95% CI half-width) at the paper's fixed cost fractions; "
                             "— where a curve does not reach that cost"));
  fixedTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  fixedTable_->setMaximumHeight(140);

  auto* top = new QSplitter(Qt::Horizontal, this);
  top->addWidget(plot_);
  top->addWidget(side);
  top->setStretchFactor(0, 4);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(top, 1);
  layout->addWidget(fixedTable_);
}

void CurveView::setRuns(const std::vector<RunPtr>& runs) {
  model_.build(runs);
  rebuild();
}

void CurveView::rebuild() {
  plot_->clearGraphs();
  for (Marker& m : markers_) {
    delete m.spin;
    delete m.label;
  }
  markers_.clear();
  double xMax = 1.0;
  for (size_t i = 0; i < model_.size(); ++i) {
    const CurveSeries& s = *model_.series()[i];
    const QColor color = methodColor(s.method, static_cast<int>(i));
    const QString name = QString::fromStdString(s.label);
    const QVector<double> x(s.gridCost.begin(), s.gridCost.end());
    if (s.runs.size() > 1) {  // one seed has no spread: no band rather than a fake one
      QCPGraph* low = plot_->addGraph();
      low->setName(name + " CI low");
      low->setData(x, QVector<double>(s.gridLow.begin(), s.gridLow.end()), true);
      low->setPen(Qt::NoPen);
      low->removeFromLegend();
      QCPGraph* high = plot_->addGraph();
      high->setName(name + " CI high");
      high->setData(x, QVector<double>(s.gridHigh.begin(), s.gridHigh.end()), true);
      high->setPen(Qt::NoPen);
      QColor fill = color;
      fill.setAlpha(50);
      high->setBrush(fill);
      high->setChannelFillGraph(low);
      high->removeFromLegend();
    }
    QCPGraph* mean = plot_->addGraph();
    mean->setName(name + QStringLiteral(" (%1 seed%2)").arg(s.runs.size()).arg(s.runs.size() == 1 ? "" : "s"));
    mean->setData(x, QVector<double>(s.gridMean.begin(), s.gridMean.end()), true);
    mean->setPen(QPen(color, 2));
    xMax = std::max(xMax, s.cost->maxCost());

    Marker m;
    m.graph = plot_->addGraph();
    m.graph->setName(name + " threshold");
    m.graph->setLineStyle(QCPGraph::lsNone);
    m.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), color, 10));
    m.graph->removeFromLegend();
    m.spin = new QDoubleSpinBox(this);
    m.spin->setRange(0.0, 1.0);
    m.spin->setDecimals(4);
    m.spin->setSingleStep(0.01);
    m.spin->setPrefix(name + tr(" threshold "));
    m.spin->setToolTip(tr("Confidence threshold of %1: an instance leaves at the first exit whose max softmax "
                          "probability reaches it").arg(name));
    m.label = new QLabel(this);
    m.label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m.label->setToolTip(tr("Seed means at this threshold: score, cost fraction, speedup, instances per exit"));
    readoutLayout_->insertWidget(readoutLayout_->count() - 1, m.spin);
    readoutLayout_->insertWidget(readoutLayout_->count() - 1, m.label);
    markers_.push_back(m);
    const size_t index = i;
    connect(m.spin, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, [this, index](double t) {
      if (std::abs(t - markers_[index].threshold) > 1e-12) setThreshold(index, t);
    });
  }
  plot_->xAxis->setRange(0, xMax * 1.02);
  // y from the bands' extent with a margin, never narrower than 0.1 (a flat curve of an
  // untrained model would otherwise get QCustomPlot's arbitrary default span).
  double yLo = 1e300, yHi = -1e300;
  for (const auto& s : model_.series())
    for (size_t k = 0; k < s->gridCost.size(); ++k) yLo = std::min(yLo, s->gridLow[k]), yHi = std::max(yHi, s->gridHigh[k]);
  if (yLo > yHi) yLo = 0, yHi = 1;
  const double pad = std::max(0.05, 0.08 * (yHi - yLo));
  plot_->yAxis->setRange(yLo - pad, yHi + pad);
  for (size_t i = 0; i < markers_.size(); ++i) setThreshold(i, 0.9);
  fillFixedRatioTable();
  plot_->replot();
}

void CurveView::setThreshold(size_t series, double threshold) {
  Marker& m = markers_.at(series);
  m.threshold = threshold;
  m.readout = model_.readout(series, threshold);
  m.graph->setData(QVector<double>{m.readout.cost}, QVector<double>{m.readout.score}, true);
  {
    const QSignalBlocker block(m.spin);
    m.spin->setValue(threshold);
  }
  m.label->setText(readoutText(series));
  plot_->replot(QCustomPlot::rpQueuedReplot);  // coalesces the replots of a fast drag
  Q_EMIT thresholdChanged(static_cast<int>(series), threshold);
}

QString CurveView::readoutText(size_t series) const {
  const ThresholdReadout& r = markers_.at(series).readout;
  const CurveSeries& s = *model_.series()[series];
  QString counts;
  for (size_t e = 0; e < r.exitCounts.size(); ++e)
    counts += QStringLiteral("L%1: %2  ").arg(s.exitLayers[e]).arg(r.exitCounts[e], 0, 'f', 1);
  return tr("%1 = %2   cost %3 (speedup %4×)\nexits %5")
      .arg(QString::fromStdString(analysis::metricName(s.metric)))
      .arg(r.score, 0, 'f', 4)
      .arg(r.cost, 0, 'f', 4)
      .arg(r.cost > 0 ? analysis::CostModel::speedup(r.cost) : 0.0, 0, 'f', 2)
      .arg(counts.trimmed());
}

QPointF CurveView::markerPixel(size_t series) const {
  const ThresholdReadout& r = markers_.at(series).readout;
  return {plot_->xAxis->coordToPixel(r.cost), plot_->yAxis->coordToPixel(r.score)};
}

void CurveView::fillFixedRatioTable() {
  const int cols = static_cast<int>(std::size(kFixedRatios));
  fixedTable_->clear();
  fixedTable_->setRowCount(static_cast<int>(model_.size()));
  fixedTable_->setColumnCount(cols);
  QStringList headers;
  for (const char* n : kFixedRatioNames) headers << tr("cost %1").arg(n);
  fixedTable_->setHorizontalHeaderLabels(headers);
  for (size_t i = 0; i < model_.size(); ++i) {
    fixedTable_->setVerticalHeaderItem(static_cast<int>(i),
                                       new QTableWidgetItem(QString::fromStdString(model_.series()[i]->label)));
    for (int c = 0; c < cols; ++c) {
      const auto v = model_.scoreAtCost(i, kFixedRatios[c]);
      QString text = QStringLiteral("—");
      if (v) {
        text = QString::number(v->mean, 'f', 4);
        if (v->ciHalfWidth) text += QStringLiteral(" ± ") + QString::number(*v->ciHalfWidth, 'f', 4);
      }
      fixedTable_->setItem(static_cast<int>(i), c, new QTableWidgetItem(text));
    }
  }
  fixedTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
}

void CurveView::onMousePress(QMouseEvent* event) {
  dragging_ = -1;
  double best = 15.0;  // pixels: a marker is grabbed within this radius
  for (size_t i = 0; i < markers_.size(); ++i) {
    const QPointF d = markerPixel(i) - event->position();
    const double dist = std::hypot(d.x(), d.y());
    if (dist < best) best = dist, dragging_ = static_cast<int>(i);
  }
}

void CurveView::onMouseMove(QMouseEvent* event) {
  if (dragging_ < 0) return;
  const double cost = plot_->xAxis->pixelToCoord(event->position().x());
  const double t = model_.thresholdForCost(static_cast<size_t>(dragging_), cost);
  if (shared_->isChecked()) {
    for (size_t i = 0; i < markers_.size(); ++i) setThreshold(i, t);
  } else {
    setThreshold(static_cast<size_t>(dragging_), t);
  }
}

void CurveView::onMouseRelease(QMouseEvent*) { dragging_ = -1; }

QString CurveView::curveCsv() const {
  QString out;
  QTextStream s(&out);
  s << "series,cost,score\n";
  for (int g = 0; g < plot_->graphCount(); ++g) {
    const QCPGraph* graph = plot_->graph(g);
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
      s << '"' << graph->name() << "\"," << QString::number(it->key, 'g', 10) << ','
        << QString::number(it->value, 'g', 10) << '\n';
  }
  return out;
}

}  // namespace sweet::ui
