// Gradient heatmaps: see heatmap_view.h. Values come from analysis::similarityAt /
// averageOverSteps; this file only lays out colour maps and formats hover text.
#include "ui/counted.h"
#include "ui/heatmap_view.h"

#include "analysis/gradient_conflict.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"
#include "ui/run_selector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sweet::ui {

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
  runCombo_ = new QComboBox(this);
  runCombo_->setToolTip(tr("Run whose gradient records are shown (runs without /gradients are not listed)"));
  probe_ = new QComboBox(this);
  probe_->addItems({tr("probe batch"), tr("second probe batch"), tr("after PCGrad (projected)")});
  probe_->setToolTip(tr("Records on the first or the second probe batch (gradients.second_probe_size > 0), or a "
                        "pcgrad run's gradients after surgery on the first"));
  probe_->setEnabled(false);
  stepSlider_ = new QSlider(Qt::Horizontal, this);
  stepSlider_->setToolTip(tr("Gradient record to show, by training step"));
  stepLabel_ = new QLabel(this);
  stepLabel_->setToolTip(tr("Training step of the record shown"));
  window_ = new QSpinBox(this);
  window_->setRange(1, 1000);
  window_->setPrefix(tr("average over "));
  window_->setSuffix(tr(" record"));
  connect(window_, QOverload<int>::of(&QSpinBox::valueChanged), this,
          [this](int n) { window_->setSuffix(n == 1 ? tr(" record") : tr(" records")); });
  window_->setToolTip(tr("Average each cell over this many records ending at the selected step "
                         "(undefined cells never enter an average)"));
  follow_ = new QCheckBox(tr("Follow latest"), this);
  follow_->setToolTip(tr("Keep the slider at the newest record while a run trains, and switch to a run that starts training"));
  values_ = new QCheckBox(tr("Show values"), this);
  values_->setToolTip(tr("Print each cell's cosine in the cell, on screen and in exports (as in the paper's Fig. 3)"));
  hover_ = new QLabel(this);
  hover_->setToolTip(tr("Cosine similarity of the cell under the mouse"));
  plot_ = new QCustomPlot(this);
  plot_->setToolTip(QString());
  plot_->setMouseTracking(true);

  auto* controls = new QHBoxLayout;
  controls->addWidget(runCombo_, 2);
  controls->addWidget(probe_);
  controls->addWidget(stepSlider_, 3);
  controls->addWidget(stepLabel_);
  controls->addWidget(window_);
  controls->addWidget(follow_);
  controls->addWidget(values_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(plot_, 1);
  layout->addWidget(hover_);

  connect(runCombo_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { rebuildMaps(); });
  connect(probe_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { rebuildMaps(); });
  connect(stepSlider_, &QSlider::valueChanged, this, [this] { fillMaps(); });
  connect(window_, QOverload<int>::of(&QSpinBox::valueChanged), this, [this] { fillMaps(); });
  connect(values_, &QCheckBox::toggled, this, [this] { fillMaps(); });
  connect(plot_, &QCustomPlot::mouseMove, this, &HeatmapView::onMouseMove);
}

void HeatmapView::setRuns(const std::vector<RunPtr>& runs) {
  fileRuns_.clear();
  for (const RunPtr& r : runs)
    if (r->gradients && r->gradients->records() > 0) fileRuns_.push_back(r);
  refreshRunList();
}

void HeatmapView::watchQueue(RunQueue* queue) {
  queue_ = queue;
  connect(queue, &RunQueue::gradientsAppended, this, [this](int id) { onLiveRecords(id); });
  connect(queue, &RunQueue::runFinished, this, [this](int id, const QString& file) {
    for (LiveRun& l : live_)
      if (l.id == id) l.file = file;
  });
}

void HeatmapView::refreshRunList() {
  QString previous = runCombo_->currentData().toString();
  // A live run whose file is now open is shown from the file (it has every record).
  for (auto it = live_.begin(); it != live_.end();) {
    const bool opened = !it->file.isEmpty() && std::any_of(fileRuns_.begin(), fileRuns_.end(), [&](const RunPtr& r) {
      return QString::fromStdString(r->data.path) == it->file;
    });
    if (!opened) {
      ++it;
      continue;
    }
    if (previous == QString::fromStdString(it->run->data.path)) previous = it->file;
    it = live_.erase(it);
  }
  runs_ = fileRuns_;
  for (const LiveRun& l : live_) runs_.push_back(l.run);
  refillRunSelector(runCombo_, runs_, previous);
  rebuildMaps();
}

void HeatmapView::onLiveRecords(int id) {
  const QueuedRun* q = queue_ ? queue_->find(id) : nullptr;
  if (!q || q->gradients.records() == 0) return;
  auto run = std::make_shared<LoadedRun>();
  run->data.path = "live:" + std::to_string(id);
  run->data.runName = q->name.toStdString() + " (training)";
  run->gradients = q->gradients;  // a snapshot: the queue keeps appending to its own
  auto it = std::find_if(live_.begin(), live_.end(), [id](const LiveRun& l) { return l.id == id; });
  if (it == live_.end()) {
    live_.push_back({id, run, {}});
    runs_.push_back(run);
    const QSignalBlocker block(runCombo_);
    runCombo_->addItem(QString::fromStdString(run->data.runName), QString::fromStdString(run->data.path));
    if (follow_->isChecked() || runCombo_->count() == 1) runCombo_->setCurrentIndex(runCombo_->count() - 1);
    else return;
    rebuildMaps();
    return;
  }
  it->run = run;
  const size_t index = fileRuns_.size() + static_cast<size_t>(it - live_.begin());
  runs_[index] = run;
  if (runCombo_->currentIndex() == static_cast<int>(index)) updateCurrentRecords();
}

const LoadedRun* HeatmapView::currentRun() const {
  const int i = runCombo_->currentIndex();
  return i >= 0 && i < static_cast<int>(runs_.size()) ? runs_[static_cast<size_t>(i)].get() : nullptr;
}

void HeatmapView::setPanelColumns(int columns) {
  panelColumns_ = std::max(0, columns);
  rebuildMaps();
}

const analysis::GradientRecords& HeatmapView::records(const LoadedRun& run) const {
  if (probe_->currentIndex() == 2 && run.projected) return *run.projected;
  return probe_->currentIndex() == 1 && run.secondProbe ? *run.secondProbe : *run.gradients;
}

void HeatmapView::rebuildMaps() {
  plot_->clearPlottables();
  plot_->clearItems();
  plot_->plotLayout()->clear();
  maps_.clear();
  valueItems_.clear();
  caption_ = nullptr;  // deleted with the layout
  const LoadedRun* run = currentRun();
  {
    const QSignalBlocker block(probe_);
    const bool second = run && run->secondProbe, projected = run && run->projected;
    probe_->setEnabled(second || projected);
    // A choice this run lacks falls back to the first probe, and the box says so.
    if ((probe_->currentIndex() == 1 && !second) || (probe_->currentIndex() == 2 && !projected)) probe_->setCurrentIndex(0);
  }
  if (!run) {
    plot_->replot();
    return;
  }
  const auto& g = records(*run);
  {
    const QSignalBlocker block(stepSlider_);
    stepSlider_->setRange(0, static_cast<int>(g.records()) - 1);
    if (follow_->isChecked() || stepSlider_->value() >= g.records()) stepSlider_->setValue(static_cast<int>(g.records()) - 1);
  }
  window_->setMaximum(std::max(1, static_cast<int>(g.records())));
  auto* scale = new QCPColorScale(plot_);
  scale->setDataRange(QCPRange(-1, 1));
  scale->setBarWidth(8);
  // Diverging blue-white-red: sign reads at a glance, 0 is neutral; undefined is grey.
  QCPColorGradient gradient;
  gradient.setColorStopAt(0.0, QColor(33, 102, 172));
  gradient.setColorStopAt(0.5, QColor(247, 247, 247));
  gradient.setColorStopAt(1.0, QColor(178, 24, 43));
  gradient.setNanHandling(QCPColorGradient::nhNanColor);
  gradient.setNanColor(QColor(140, 140, 140));
  scale->setGradient(gradient);
  scale->axis()->setLabel(tr("cosine"));
  // Panels go into a grid of their own beside the colour scale, so the scale spans the
  // full height whatever the number of panel rows, and every panel gets the same share.
  // A caption row on top names the run and the step, so an exported map says what it shows.
  caption_ = new QCPTextElement(plot_, QString(), QFont(font().family(), 9, QFont::Bold));
  plot_->plotLayout()->addElement(0, 0, caption_);
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  auto* panels = new QCPLayoutGrid;
  plot_->plotLayout()->addElement(1, 0, panels);
  if (panelColumns_ > 0) {
    // Narrow figures: ticks at -1, 0, 1 only keep the scale's column slim.
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    scale->axis()->setTicker(ticker);
  }
  auto* margins = new QCPMarginGroup(plot_);
  const int layers = static_cast<int>(g.layerCount());
  const int columns = panelColumns_ > 0 ? std::min(panelColumns_, layers) : layers;
  placeColorScale(panels, scale, layers, columns);
  const auto E = static_cast<int>(g.exits());
  for (int l = 0; l < layers; ++l) {
    const int row = 2 * (l / columns), col = l % columns;
    auto* title = new QCPTextElement(plot_, tr("layer %1").arg(g.layers[static_cast<size_t>(l)]));
    panels->addElement(row, col, title);
    auto* rect = new QCPAxisRect(plot_);
    panels->addElement(row + 1, col, rect);
    panels->setRowStretchFactor(row, 0.001);  // titles take their text's height, no more
    rect->setMarginGroup(QCP::msLeft | QCP::msRight | QCP::msBottom | QCP::msTop, margins);
    // Only the tick labels (left, bottom) need room; the hidden top and right axes none.
    rect->setAutoMargins(QCP::msLeft | QCP::msBottom);
    rect->setMargins(QMargins(0, 2, 6, 0));
    // No "exit" axis titles: the L1, L4, … ticks name the exits, and the titles' margins
    // would take a third of a one-column figure.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int e = 0; e < E; ++e) ticker->addTick(e, QStringLiteral("L%1").arg(g.exitLayers[static_cast<size_t>(e)]));
    rect->axis(QCPAxis::atBottom)->setTicker(ticker);
    rect->axis(QCPAxis::atLeft)->setTicker(ticker);
    rect->axis(QCPAxis::atBottom)->setRange(-0.5, E - 0.5);
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, E - 0.5);
    rect->axis(QCPAxis::atLeft)->setRangeReversed(true);  // row 0 on top, like a matrix
    auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    map->data()->setSize(E, E);
    map->data()->setRange(QCPRange(0, E - 1), QCPRange(0, E - 1));
    map->setInterpolate(false);
    map->setColorScale(scale);
    map->setGradient(gradient);
    map->setDataRange(QCPRange(-1, 1));
    maps_.push_back(map);
    std::vector<QCPItemText*> texts;
    for (int a = 0; a < E; ++a)
      for (int b = 0; b < E; ++b) {
        auto* text = new QCPItemText(plot_);
        text->setClipAxisRect(rect);
        text->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        text->position->setCoords(b, a);
        text->setPositionAlignment(Qt::AlignCenter);
        text->setVisible(false);
        texts.push_back(text);
      }
    valueItems_.push_back(std::move(texts));
  }
  fillMaps();
}

void HeatmapView::placeColorScale(QCPLayoutGrid* panels, QCPColorScale* scale, int layers, int columns) {
  if (layers % columns == 0) {  // a full grid: the scale gets a slim column of its own
    plot_->plotLayout()->addElement(1, 1, scale);
    plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
    return;
  }
  // The last row has a free slot (3 layers two per row): the scale fills it, centred between
  // two spacers, instead of leaving a hole and taking a column from every panel.
  auto* slot = new QCPLayoutGrid;
  panels->addElement(2 * (layers / columns) + 1, layers % columns, slot);
  slot->addElement(0, 0, new QCPLayoutElement(plot_));
  slot->addElement(0, 1, scale);
  slot->addElement(0, 2, new QCPLayoutElement(plot_));
  slot->setColumnStretchFactor(1, 0.001);
}

QString HeatmapView::figureCaption() const {
  const LoadedRun* run = currentRun();
  if (!run || maps_.empty()) return {};
  QString text = QString::fromStdString(run->data.runName) + QStringLiteral(" · ") + stepLabel_->text();
  if (window_->value() > 1) text += tr(" (mean)");
  if (probe_->currentIndex() == 1) text += tr(" · second probe batch");
  return text;
}

QString HeatmapView::cellValueText(int layerIndex, int row, int col) const {
  const double v = maps_.at(static_cast<size_t>(layerIndex))->data()->cell(col, row);
  return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', 2);
}

void HeatmapView::updateCurrentRecords() {
  const LoadedRun* run = currentRun();
  if (!run || static_cast<int64_t>(maps_.size()) != records(*run).layerCount()) return rebuildMaps();
  const int count = static_cast<int>(records(*run).records());
  {
    const QSignalBlocker block(stepSlider_);
    stepSlider_->setRange(0, count - 1);
    if (follow_->isChecked()) stepSlider_->setValue(count - 1);
  }
  window_->setMaximum(std::max(1, count));
  fillMaps();
}

void HeatmapView::fillMaps() {
  const LoadedRun* run = currentRun();
  if (!run || maps_.empty()) return;
  const auto& g = records(*run);
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
  if (caption_) caption_->setText(figureCaption());
  for (size_t l = 0; l < valueItems_.size(); ++l) {
    const int E = static_cast<int>(g.exits());
    for (int a = 0; a < E; ++a)
      for (int b = 0; b < E; ++b) {
        QCPItemText* text = valueItems_[l][static_cast<size_t>(a * E + b)];
        text->setVisible(values_->isChecked());
        text->setText(cellValueText(static_cast<int>(l), a, b));
        // Dark cells (|cos| near 1) get white text.
        const double v = maps_[l]->data()->cell(b, a);
        text->setColor(!std::isnan(v) && std::abs(v) > 0.6 ? Qt::white : Qt::black);
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
    const auto& layers = records(*run).exitLayers;
    const double v = map->data()->cell(col, row);
    return tr("layer %1, exits L%2 × L%3: %4")
        .arg(records(*run).layers[l])
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
  const auto& g = records(*run);
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
