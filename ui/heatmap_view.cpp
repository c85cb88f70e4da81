// Gradient heatmaps: see heatmap_view.h. Values come from analysis::similarityAt /
// averageOverSteps; this file only lays out colour maps and formats hover text.
#include "ui/heatmap_view.h"

#include "analysis/gradient_conflict.h"
#include "ui/qcustomplot_include.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace sweet::ui {

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  runCombo_ = new QComboBox(this);
  runCombo_->setToolTip(tr("Run whose gradient records are shown (runs without /gradients are not listed)"));
  stepSlider_ = new QSlider(Qt::Horizontal, this);
  stepSlider_->setToolTip(tr("Gradient record to show, by training step"));
  stepLabel_ = new QLabel(this);
  stepLabel_->setToolTip(tr("Training step of the record shown"));
  window_ = new QSpinBox(this);
  window_->setRange(1, 1000);
  window_->setPrefix(tr("average over "));
  window_->setSuffix(tr(" records"));
  window_->setToolTip(tr("Average each cell over this many records ending at the selected step "
                         "(undefined cells never enter an average)"));
  follow_ = new QCheckBox(tr("Follow latest"), this);
  follow_->setToolTip(tr("Jump to the newest record whenever the run is re-read"));
  hover_ = new QLabel(this);
  hover_->setToolTip(tr("Cosine similarity of the cell under the mouse"));
  plot_ = new QCustomPlot(this);
  plot_->setToolTip(QString());
  plot_->setMouseTracking(true);

  auto* controls = new QHBoxLayout;
  controls->addWidget(runCombo_, 2);
  controls->addWidget(stepSlider_, 3);
  controls->addWidget(stepLabel_);
  controls->addWidget(window_);
  controls->addWidget(follow_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(plot_, 1);
  layout->addWidget(hover_);

  connect(runCombo_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { rebuildMaps(); });
  connect(stepSlider_, &QSlider::valueChanged, this, [this] { fillMaps(); });
  connect(window_, QOverload<int>::of(&QSpinBox::valueChanged), this, [this] { fillMaps(); });
  connect(plot_, &QCustomPlot::mouseMove, this, &HeatmapView::onMouseMove);
}

void HeatmapView::setRuns(const std::vector<RunPtr>& runs) {
  const QString previous = runCombo_->currentData().toString();
  runs_.clear();
  for (const RunPtr& r : runs)
    if (r->gradients && r->gradients->records() > 0) runs_.push_back(r);
  const QSignalBlocker block(runCombo_);
  runCombo_->clear();
  for (const RunPtr& r : runs_)
    runCombo_->addItem(QString::fromStdString(r->data.runName), QString::fromStdString(r->data.path));
  const int keep = runCombo_->findData(previous);
  runCombo_->setCurrentIndex(keep >= 0 ? keep : 0);
  rebuildMaps();
}

const LoadedRun* HeatmapView::currentRun() const {
  const int i = runCombo_->currentIndex();
  return i >= 0 && i < static_cast<int>(runs_.size()) ? runs_[static_cast<size_t>(i)].get() : nullptr;
}

void HeatmapView::rebuildMaps() {
  plot_->clearPlottables();
  plot_->plotLayout()->clear();
  maps_.clear();
  const LoadedRun* run = currentRun();
  if (!run) {
    plot_->replot();
    return;
  }
  const auto& g = *run->gradients;
  {
    const QSignalBlocker block(stepSlider_);
    stepSlider_->setRange(0, static_cast<int>(g.records()) - 1);
    if (follow_->isChecked() || stepSlider_->value() >= g.records()) stepSlider_->setValue(static_cast<int>(g.records()) - 1);
  }
  auto* scale = new QCPColorScale(plot_);
  scale->setDataRange(QCPRange(-1, 1));
  // Diverging blue-white-red: sign reads at a glance, 0 is neutral; undefined is grey.
  QCPColorGradient gradient;
  gradient.setColorStopAt(0.0, QColor(33, 102, 172));
  gradient.setColorStopAt(0.5, QColor(247, 247, 247));
  gradient.setColorStopAt(1.0, QColor(178, 24, 43));
  gradient.setNanHandling(QCPColorGradient::nhNanColor);
  gradient.setNanColor(QColor(140, 140, 140));
  scale->setGradient(gradient);
  scale->axis()->setLabel(tr("cosine"));
  const int layers = static_cast<int>(g.layerCount());
  for (int l = 0; l < layers; ++l) {
    auto* title = new QCPTextElement(plot_, tr("layer %1").arg(g.layers[static_cast<size_t>(l)]));
    plot_->plotLayout()->addElement(0, l, title);
    auto* rect = new QCPAxisRect(plot_);
    plot_->plotLayout()->addElement(1, l, rect);
    rect->axis(QCPAxis::atBottom)->setLabel(tr("exit"));
    if (l == 0) rect->axis(QCPAxis::atLeft)->setLabel(tr("exit"));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int e = 0; e < g.exits(); ++e) ticker->addTick(e, QStringLiteral("L%1").arg(g.exitLayers[static_cast<size_t>(e)]));
    rect->axis(QCPAxis::atBottom)->setTicker(ticker);
    rect->axis(QCPAxis::atLeft)->setTicker(ticker);
    rect->axis(QCPAxis::atBottom)->setRange(-0.5, g.exits() - 0.5);
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, g.exits() - 0.5);
    rect->axis(QCPAxis::atLeft)->setRangeReversed(true);  // row 0 on top, like a matrix
    auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    map->data()->setSize(static_cast<int>(g.exits()), static_cast<int>(g.exits()));
    map->data()->setRange(QCPRange(0, g.exits() - 1), QCPRange(0, g.exits() - 1));
    map->setInterpolate(false);
    map->setColorScale(scale);
    map->setGradient(gradient);
    map->setDataRange(QCPRange(-1, 1));
    maps_.push_back(map);
  }
  plot_->plotLayout()->addElement(1, layers, scale);
  fillMaps();
}

void HeatmapView::fillMaps() {
  const LoadedRun* run = currentRun();
  if (!run || maps_.empty()) return;
  const auto& g = *run->gradients;
  const int record = std::clamp(stepSlider_->value(), 0, static_cast<int>(g.records()) - 1);
  const int from = std::max(0, record - window_->value() + 1);
  const int64_t step = g.steps[static_cast<size_t>(record)];
  stepLabel_->setText(window_->value() > 1 ? tr("steps %1–%2").arg(g.steps[static_cast<size_t>(from)]).arg(step)
                                           : tr("step %1").arg(step));
  for (size_t l = 0; l < maps_.size(); ++l) {
    const auto m = window_->value() > 1
                       ? analysis::averageOverSteps(g, static_cast<int64_t>(l), g.steps[static_cast<size_t>(from)], step)
                       : analysis::similarityAt(g, record, static_cast<int64_t>(l));
    for (int a = 0; a < m.exits; ++a)
      for (int b = 0; b < m.exits; ++b) {
        const auto& v = m.at(a, b);
        maps_[l]->data()->setCell(b, a, v ? *v : std::nan(""));  // x = column b, y = row a
      }
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString HeatmapView::cellTextAt(const QPoint& pos) const {
  const LoadedRun* run = currentRun();
  if (!run) return {};
  for (size_t l = 0; l < maps_.size(); ++l) {
    QCPColorMap* map = maps_[l];
    if (!map->keyAxis()->axisRect()->rect().contains(pos)) continue;
    int col = 0, row = 0;
    map->data()->coordToCell(map->keyAxis()->pixelToCoord(pos.x()), map->valueAxis()->pixelToCoord(pos.y()), &col, &row);
    const int exits = map->data()->keySize();
    if (col < 0 || row < 0 || col >= exits || row >= exits) return {};
    const auto& layers = run->gradients->exitLayers;
    const double v = map->data()->cell(col, row);
    return tr("layer %1, exits L%2 × L%3: %4")
        .arg(run->gradients->layers[l])
        .arg(layers[static_cast<size_t>(row)])
        .arg(layers[static_cast<size_t>(col)])
        .arg(std::isnan(v) ? tr("undefined (a zero gradient)") : QString::number(v, 'f', 4));
  }
  return {};
}

void HeatmapView::onMouseMove(QMouseEvent* event) {
  const QString text = cellTextAt(event->pos());
  hover_->setText(text);
  if (!text.isEmpty()) QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

QString HeatmapView::heatmapCsv() const {
  QString out;
  QTextStream s(&out);
  s << "layer,row_exit_layer,col_exit_layer,cosine\n";
  const LoadedRun* run = currentRun();
  if (!run) return out;
  const auto& g = *run->gradients;
  for (size_t l = 0; l < maps_.size(); ++l)
    for (int a = 0; a < g.exits(); ++a)
      for (int b = 0; b < g.exits(); ++b) {
        const double v = maps_[l]->data()->cell(b, a);
        s << g.layers[l] << ',' << g.exitLayers[static_cast<size_t>(a)] << ',' << g.exitLayers[static_cast<size_t>(b)]
          << ',' << (std::isnan(v) ? QStringLiteral("nan") : QString::number(v, 'g', 8)) << '\n';
      }
  return out;
}

}  // namespace sweet::ui
