// Speed-accuracy view: see curve_view.h.
#include "ui/counted.h"
#include "ui/curve_view.h"

#include "ui/curve_computation.h"

#include "ui/elided_legend_item.h"

#include "analysis/exit_rule_traits.h"
#include "analysis/report.h"
#include "ui/plot_style.h"
#include "ui/qcustomplot_include.h"
#include "ui/speedup_axis.h"

#include <QCheckBox>
#include <QComboBox>
#include <QScrollArea>
#include <QSettings>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QTextStream>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace sweet::ui {
namespace {

// Two entries a row: at one-column export width each still has ~30 characters.
constexpr int kLegendColumns = 2;
// The widest a row header of the fixed-cost table or a threshold box's label may be; a
// longer label is elided, its whole text in the tooltip.
constexpr int kLabelWidth = 220;

// Puts `graph` in the legend as an elided entry (the default entry would show all of a
// long name and widen the legend past the plot).
void addElidedLegendEntry(QCustomPlot* plot, QCPGraph* graph) {
  graph->removeFromLegend();
  plot->legend->addItem(new ElidedLegendItem(plot->legend, graph, kLegendColumns));
}

// An empty legend, even hidden, caps its layout column at its own tiny maximum width (the
// axes shrank to ~50 px on an empty plot): it is in the layout only while it has entries.
void showLegendIfAny(QCustomPlot* plot) {
  QCPLayoutGrid* layout = plot->plotLayout();
  const bool any = plot->legend->itemCount() > 0;
  const bool placed = layout->hasElement(1, 0) && layout->element(1, 0) == plot->legend;
  if (any && !placed) layout->addElement(1, 0, plot->legend);
  if (!any && placed) layout->take(plot->legend);
  plot->legend->setVisible(any);
}

}  // namespace

CurveView::CurveView(QWidget* parent)
    : QWidget(parent), model_(std::make_shared<CurveModel>()), computation_(new CurveComputation(this)) {
  connect(computation_, &CurveComputation::ready, this, &CurveView::draw);
  connect(computation_, &CurveComputation::failed, this, &CurveView::computationFailed);
  plot_ = new QCustomPlot(this);
  plot_->setToolTip(tr("Speed-accuracy curves: drag a marker along its curve to change that method's exit threshold"));
  plot_->xAxis->setLabel(tr("cost fraction (1 = full model)"));
  plot_->yAxis->setLabel(tr("score"));
  plot_->xAxis2->setVisible(true);
  plot_->xAxis2->setLabel(tr("speedup ×"));
  plot_->xAxis2->setTicker(QSharedPointer<SpeedupTicker>::create(plot_->xAxis2));
  // The legend gets a row of the layout below the axes: however many series and however
  // long their labels, it takes room from the figure, never covers a curve, and an export
  // (which renders this same layout) keeps it on the page.
  plot_->axisRect()->insetLayout()->take(plot_->legend);
  plot_->plotLayout()->addElement(1, 0, plot_->legend);
  plot_->plotLayout()->setRowStretchFactor(1, 0.001);
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->legend->setWrap(kLegendColumns);
  plot_->legend->setBorderPen(Qt::NoPen);
  showLegendIfAny(plot_);  // none yet
  plot_->installEventFilter(this);
  hint_ = new QCPItemText(plot_);
  hint_->position->setType(QCPItemPosition::ptAxisRectRatio);
  hint_->position->setCoords(0.5, 0.5);
  hint_->setText(tr("No runs open.\nOpen run files (Ctrl+O) or watch a folder (File > Watch folder…),\n"
                    "or start a New experiment (Ctrl+N)."));
  hint_->setColor(Qt::darkGray);
  plot_->xAxis->setRange(0, 1);  // cost and score fractions, not QCustomPlot's 0-5
  plot_->yAxis->setRange(0, 1);
  connect(plot_->xAxis, QOverload<const QCPRange&>::of(&QCPAxis::rangeChanged), plot_->xAxis2,
          QOverload<const QCPRange&>::of(&QCPAxis::setRange));
  connect(plot_, &QCustomPlot::mousePress, this, &CurveView::onMousePress);
  connect(plot_, &QCustomPlot::mouseMove, this, &CurveView::onMouseMove);
  connect(plot_, &QCustomPlot::mouseRelease, this, &CurveView::onMouseRelease);

  auto* side = new QWidget(this);
  // Bounded: a series label that lists many differing config keys would otherwise widen
  // the spin boxes, hence the panel, until the plot is a sliver (seen under Xvfb).
  side->setMaximumWidth(460);
  readoutLayout_ = new QVBoxLayout(side);
  task_ = new QComboBox(side);
  task_->setToolTip(tr("The task whose runs are drawn: curves of different tasks never share a plot"));
  connect(task_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { setRuns(runs_); });
  shared_ = new QCheckBox(tr("Drag all markers together"), side);
  shared_->setToolTip(tr("Shared mode: moving one threshold sets the same threshold on every method"));
  curveKind_ = new QComboBox(side);
  curveKind_->addItem(tr("Curve: paper's 11-threshold sweep"));
  curveKind_->addItem(tr("Curve: exact (every threshold)"));
  curveKind_->setToolTip(tr("How the curves and the fixed-cost table are computed: the paper's sweep of 11 "
                            "thresholds from 1/K to 1 (as `sweet report`), or the exact curve (as `sweet report "
                            "--exact-curve`)"));
  curveKind_->setCurrentIndex(QSettings().value(QStringLiteral("curves/exact"), false).toBool() ? 1 : 0);
  connect(curveKind_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this](int index) {
    QSettings().setValue(QStringLiteral("curves/exact"), index == 1);
    setRuns(runs_);
  });
  rule_ = new QComboBox(side);
  for (const analysis::ExitRuleTraits& rule : analysis::allExitRules())
    rule_->addItem(tr("Exit on: %1").arg(QString::fromUtf8(rule.displayName)), QVariant::fromValue(rule.rule));
  rule_->setToolTip(tr("Confidence exiting (the paper's main results), the learning-to-exit heads' scores "
                       "(Section 5, Fig. 7) of runs trained with lte.enabled, normalized entropy (DeeBERT), or "
                       "PABEE's patience (leave once k consecutive exits agree), each on the same runs"));
  connect(rule_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { setRuns(runs_); });
  xAxis_ = new QComboBox(side);
  xAxis_->addItem(tr("x: cost fraction"), QString());
  xAxis_->setToolTip(tr("Cost fraction (the paper's layer count; markers draggable), or the wall-clock speedup "
                        "measured by `sweet infer --measure` on these runs"));
  connect(xAxis_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { rebuild(); });
  calibrate_ = new QCheckBox(tr("Temperature-scaled confidences"), side);
  calibrate_->setToolTip(tr("Scale each exit's confidences by a fitted temperature before exiting, as the paper and "
                            "`sweet report` do (held-out rows, or two-fold cross-fitting on the eval set); off: raw "
                            "softmax, as `sweet report --no-calibrate`"));
  calibrate_->setChecked(QSettings().value(QStringLiteral("curves/calibrate"), true).toBool());
  connect(calibrate_, &QCheckBox::toggled, this, [this](bool on) {
    QSettings().setValue(QStringLiteral("curves/calibrate"), on);
    setRuns(runs_);
  });
  notes_ = new QLabel(side);
  notes_->setWordWrap(true);
  notes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  notes_->setToolTip(tr("Runs that are not drawn, and why"));
  readoutLayout_->addWidget(task_);
  readoutLayout_->addWidget(curveKind_);
  readoutLayout_->addWidget(rule_);
  readoutLayout_->addWidget(xAxis_);
  readoutLayout_->addWidget(calibrate_);
  readoutLayout_->addWidget(shared_);
  readoutLayout_->addWidget(notes_);
  readoutLayout_->addStretch();

  fixedTable_ = new QTableWidget(this);
  fixedTable_->setToolTip(tr("Seed-mean score (± 95% CI half-width) at the paper's fixed cost fractions; "
                             "— where a curve does not reach that cost"));
  fixedTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  fixedTable_->setMaximumHeight(140);
  // Row headers are series labels: bounded (elided, whole in the tooltip) so the cost
  // columns always fit beside them without a horizontal scroll bar.
  fixedTable_->verticalHeader()->setMaximumWidth(kLabelWidth);
  fixedTable_->verticalHeader()->setTextElideMode(Qt::ElideRight);

  auto* top = new QSplitter(Qt::Horizontal, this);
  top->addWidget(plot_);
  // Scrolls rather than grows: a marker per series (twelve for a two-learning-rate
  // comparison) would otherwise set the whole window's minimum height.
  auto* sideScroll = new QScrollArea(this);
  sideScroll->setWidget(side);
  sideScroll->setWidgetResizable(true);
  sideScroll->setFrameShape(QFrame::NoFrame);
  sideScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  sideScroll->setMaximumWidth(side->maximumWidth() + 20);
  sideScroll->setMinimumWidth(330);  // a readout line ("accuracy = … (speedup 1.01×)") unclipped
  plot_->setMinimumHeight(260);      // docks and tables take what is left, not the plot's share
  top->addWidget(sideScroll);
  top->setStretchFactor(0, 4);
  caption_ = new QLabel(this);
  caption_->setWordWrap(true);
  caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  caption_->setToolTip(tr("What every drawn run shares; the legend names only what sets the series apart"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(caption_);
  layout->addWidget(top, 1);
  layout->addWidget(fixedTable_);
}

void CurveView::setCatalog(const RunCatalog* catalog) { catalog_ = catalog; }

std::vector<RunPtr> CurveView::runsOfShownTask() {
  if (!catalog_) {
    std::vector<const analysis::RunData*> data;
    for (const RunPtr& run : runs_) data.push_back(&run->data);
    ownCatalog_.setRuns(data);
  }
  const QString current = task_->currentText();
  {
    const QSignalBlocker block(task_);
    task_->clear();
    for (const std::string& task : catalog().tasks()) task_->addItem(QString::fromStdString(task));
    const int keep = task_->findText(current);
    task_->setCurrentIndex(keep < 0 ? 0 : keep);
  }
  task_->setEnabled(task_->count() > 1);
  std::vector<RunPtr> out;
  const std::string task = task_->currentText().toStdString();
  for (const RunPtr& run : runs_) {
    const auto index = catalog().find(run->data.path);
    if (index && catalog().isShown(*index) && run->data.task == task) out.push_back(run);
  }
  return out;
}

void CurveView::setRuns(const std::vector<RunPtr>& runs) {
  runs_ = runs;
  CurveRequest request;
  request.runs = runsOfShownTask();
  const std::string task = task_->currentText().toStdString();
  pending_ = {QString::fromStdString(catalog().caption(task)),
              QString::fromStdString(catalog().caption(task, RunCatalog::Scope::Shown, true)), !request.runs.empty(),
              runs_.empty()};
  request.options.exactCurve = curveKind_->currentIndex() == 1;
  request.options.calibrate = calibrate_->isChecked();
  request.options.rule = rule_->currentData().value<analysis::ExitRule>();
  request.groups = catalog().groups(task);
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(request.options.rule);
  // What does not apply to a rule is greyed out (its exact curve is drawn, its scores
  // read unscaled).
  curveKind_->setEnabled(rule.paperSweep);
  calibrate_->setEnabled(rule.usesTemperatures);
  if (async_) return computation_->request(std::move(request));
  computation_->cancel();  // an older asynchronous request must not overwrite this one
  draw(CurveComputation::build(request));
}

bool CurveView::computing() const { return computation_->busy(); }

bool CurveView::waitForCurves(int timeoutMs) {
  return waitUntilIdle([this] { return computation_->busy(); }, timeoutMs);
}

void CurveView::draw(std::shared_ptr<CurveModel> model) {
  // The experiment's headline keys, as the figure's caption; every shared setting on hover
  // (on the demo they filled four lines above the plot).
  caption_->setText(pending_.figureCaption);
  caption_->setToolTip(tr("Every drawn run shares: %1").arg(pending_.caption));
  caption_->setVisible(pending_.anyShown && !pending_.figureCaption.isEmpty());
  figureCaption_ = pending_.anyShown ? pending_.figureCaption : QString();
  hint_->setVisible(pending_.noRuns);
  // Thresholds the user set survive a rebuild (a live run re-read) where the series and
  // the rule stay; another rule starts from its own default.
  auto key = [](const CurveSeries& s, analysis::ExitRule rule) {
    return s.method + std::to_string(s.variant) + analysis::exitRuleName(rule);
  };
  std::map<std::string, double> kept;
  for (size_t i = 0; i < markers_.size() && i < model_->size(); ++i)
    kept[key(*model_->series()[i], model_->options().rule)] = markers_[i].threshold;
  model_ = std::move(model);
  const CurveOptions& options = model_->options();
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(options.rule);
  refreshXAxisChoices();
  rebuild();
  for (size_t i = 0; i < markers_.size(); ++i) {
    auto it = kept.find(key(*model_->series()[i], options.rule));
    if (it != kept.end()) setThreshold(i, it->second);
  }
  QStringList notes;
  if (model_->size() > 0 && *rule.curveNote)
    notes << QString::fromUtf8(rule.curveNote);
  else if (model_->size() > 0)  // confidence: the note says how its confidences were scaled
    // calibration reads e.g. "temperature-scaled (held-out)": it names the scaling itself.
    notes << (options.calibrate ? tr("Exits on %1 confidences").arg(QString::fromStdString(model_->series()[0]->calibration))
                                : tr("Exits on raw softmax confidences"));
  for (const std::string& n : model_->notes()) notes << QString::fromStdString(n);
  notes_->setText(notes.join(QLatin1Char('\n')));
  notes_->setVisible(!notes.isEmpty());
  Q_EMIT curvesDrawn();
}

QString CurveView::figureCaption() const {
  const QString separator = QStringLiteral(" · ");
  QStringList parts = figureCaption_.split(separator, Qt::SkipEmptyParts);
  for (QString& part : parts) part.replace(QLatin1Char(' '), QChar(QChar::Nbsp));
  return parts.join(separator);
}

void CurveView::setExactCurve(bool exact) { curveKind_->setCurrentIndex(exact ? 1 : 0); }

void CurveView::refreshXAxisChoices() {
  const QString shown = xAxis_->currentData().toString();
  const QSignalBlocker block(xAxis_);
  while (xAxis_->count() > 1) xAxis_->removeItem(1);
  for (const std::string& name : model_->measurementNames())
    xAxis_->addItem(tr("x: measured speedup, %1").arg(QString::fromStdString(name)), QString::fromStdString(name));
  const int keep = xAxis_->findData(shown);
  xAxis_->setCurrentIndex(keep < 0 ? 0 : keep);  // a measurement that went away: back to cost
}

void CurveView::drawMeasured(const std::string& name) {
  plot_->xAxis->setLabel(tr("speedup (measured wall clock, %1; dashed: layer count)").arg(QString::fromStdString(name)));
  plot_->xAxis2->setVisible(false);
  double xMax = 1.0, yLo = 1e300, yHi = -1e300;
  for (size_t i = 0; i < model_->size(); ++i) {
    const CurveSeries& s = *model_->series()[i];
    const auto m = model_->measuredCurve(i, name);
    if (!m) continue;
    const QPen pen = seriesPen(s.method, s.variant, static_cast<int>(i), 2);
    const QString label = QString::fromStdString(s.label);
    const QVector<double> y(m->score.begin(), m->score.end());
    QCPGraph* measured = plot_->addGraph();
    measured->setName(label + " (" + counted(m->seeds, tr("seed"), tr("seeds")) + ")");
    measured->setData(QVector<double>(m->measuredSpeedup.begin(), m->measuredSpeedup.end()), y);  // by threshold
    measured->setPen(pen);
    measured->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, pen.color(), pen.color(), 6));
    addElidedLegendEntry(plot_, measured);
    QCPGraph* layers = plot_->addGraph();
    layers->setName(label + " layer count");
    layers->setData(QVector<double>(m->layerSpeedup.begin(), m->layerSpeedup.end()), y);
    QPen dashed = pen;
    dashed.setStyle(Qt::DashLine);
    dashed.setWidthF(1.0);
    layers->setPen(dashed);
    layers->removeFromLegend();
    for (size_t p = 0; p < m->score.size(); ++p) {
      xMax = std::max({xMax, m->measuredSpeedup[p], m->layerSpeedup[p]});
      yLo = std::min(yLo, m->score[p]);
      yHi = std::max(yHi, m->score[p]);
    }
  }
  if (yLo > yHi) yLo = 0, yHi = 1;
  const double pad = std::max(0.05, 0.08 * (yHi - yLo));
  plot_->xAxis->setRange(0, xMax * 1.05);
  plot_->yAxis->setRange(yLo - pad, yHi + pad);
  showLegendIfAny(plot_);
  plot_->replot();
}

void CurveView::rebuild() {
  plot_->clearGraphs();
  for (Marker& m : markers_) {
    delete m.spin;
    delete m.label;
  }
  markers_.clear();
  const std::string measurement = xAxis_->currentData().toString().toStdString();
  if (!measurement.empty()) return drawMeasured(measurement);  // no markers: thresholds are the measured ones
  plot_->xAxis->setLabel(tr("cost fraction (1 = full model)"));
  plot_->xAxis2->setVisible(true);
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(model_->options().rule);
  double xMax = 1.0;
  for (size_t i = 0; i < model_->size(); ++i) {
    const CurveSeries& s = *model_->series()[i];
    const QPen pen = seriesPen(s.method, s.variant, static_cast<int>(i), 2);
    const QColor color = pen.color();
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
    mean->setName(name + " (" + counted(static_cast<qint64>(s.runs.size()), tr("seed"), tr("seeds")) + ")");
    mean->setData(x, QVector<double>(s.gridMean.begin(), s.gridMean.end()), true);
    mean->setPen(pen);
    addElidedLegendEntry(plot_, mean);
    xMax = std::max(xMax, s.cost->maxCost());

    Marker m;
    m.graph = plot_->addGraph();
    m.graph->setName(name + " threshold");
    m.graph->setLineStyle(QCPGraph::lsNone);
    m.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), color, 10));
    m.graph->removeFromLegend();
    m.spin = new QDoubleSpinBox(this);
    // Only Enter or leaving the box applies a typed value: applying every keystroke would
    // rewrite the text under the cursor ("0." becomes 0.0000 before the 95 is typed).
    m.spin->setKeyboardTracking(false);
    const analysis::ThresholdRange range = rule.range(static_cast<int64_t>(s.exitLayers.size()));
    m.spin->setRange(range.low, range.high);
    m.spin->setDecimals(rule.integerParameter() ? 0 : 4);
    m.spin->setSingleStep(rule.integerParameter() ? 1.0 : 0.01);
    // The whole label is in the tooltip; the box shows what fits beside its number.
    const QString shortName = m.spin->fontMetrics().elidedText(name, Qt::ElideRight, kLabelWidth);
    m.spin->setPrefix(tr("%1 %2 ").arg(shortName, QString::fromUtf8(rule.parameterLabel)));
    m.spin->setToolTip(tr("%1 of %2: an instance leaves %3")
                           .arg(QString::fromUtf8(rule.parameterTitle), name, QString::fromUtf8(rule.leavesWhen)));
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
  for (const auto& s : model_->series())
    for (size_t k = 0; k < s->gridCost.size(); ++k) yLo = std::min(yLo, s->gridLow[k]), yHi = std::max(yHi, s->gridHigh[k]);
  if (yLo > yHi) yLo = 0, yHi = 1;
  const double pad = std::max(0.05, 0.08 * (yHi - yLo));
  plot_->yAxis->setRange(yLo - pad, yHi + pad);
  // The y axis names the metric of the runs shown (accuracy, or MCC for CoLA).
  std::set<std::string> metrics;
  for (const auto& s : model_->series()) metrics.insert(analysis::metricName(s->metric));
  QStringList metricNames;
  for (const auto& m : metrics) metricNames << QString::fromStdString(m);
  plot_->yAxis->setLabel(metricNames.isEmpty() ? tr("score") : metricNames.join(QStringLiteral(" / ")));
  for (size_t i = 0; i < markers_.size(); ++i) setThreshold(i, rule.defaultThreshold);
  fillFixedRatioTable();
  showLegendIfAny(plot_);
  // Asynchronous, the replot (5-25 ms for 20 runs' bands) is an event of its own after the
  // widgets: the GUI thread never holds both at once. At once, the caller reads the layout.
  plot_->replot(async_ ? QCustomPlot::rpQueuedReplot : QCustomPlot::rpRefreshHint);
}

void CurveView::setThreshold(size_t series, double threshold) { showReadout(series, model_->readout(series, threshold)); }

void CurveView::showReadout(size_t series, const ThresholdReadout& readout) {
  Marker& m = markers_.at(series);
  m.threshold = readout.threshold;
  m.readout = readout;
  m.graph->setData(QVector<double>{m.readout.cost}, QVector<double>{m.readout.score}, true);
  {
    const QSignalBlocker block(m.spin);
    m.spin->setValue(m.threshold);
  }
  m.label->setText(readoutText(series));
  plot_->replot(QCustomPlot::rpQueuedReplot);  // coalesces the replots of a fast drag
  Q_EMIT thresholdChanged(static_cast<int>(series), m.threshold);
}

QString CurveView::readoutText(size_t series) const {
  const ThresholdReadout& r = markers_.at(series).readout;
  const CurveSeries& s = *model_->series()[series];
  QString counts;
  for (size_t e = 0; e < r.exitCounts.size(); ++e)
    counts += QStringLiteral("L%1: %2  ").arg(s.exitLayers[e]).arg(countText(r.exitCounts[e]));
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
  // The report's columns: the union of every series' fixed cost fractions (1/24 for
  // 24-layer models, the cascade's 1 3/8 and 1 3/4), — where a series has none.
  std::vector<double> fractions;
  for (const auto& s : model_->series()) fractions.insert(fractions.end(), s->costFractions.begin(), s->costFractions.end());
  std::sort(fractions.begin(), fractions.end());
  fractions.erase(std::unique(fractions.begin(), fractions.end(), [](double a, double b) { return std::abs(a - b) < 1e-12; }),
                  fractions.end());
  const int cols = static_cast<int>(fractions.size());
  fixedTable_->clear();
  fixedTable_->setRowCount(static_cast<int>(model_->size()));
  fixedTable_->setColumnCount(cols);
  QStringList headers;
  for (double f : fractions) headers << tr("cost %1").arg(QString::fromStdString(analysis::costFractionLabel(f)));
  fixedTable_->setHorizontalHeaderLabels(headers);
  for (size_t i = 0; i < model_->size(); ++i) {
    const CurveSeries& s = *model_->series()[i];
    auto* head = new QTableWidgetItem(QString::fromStdString(s.label));
    head->setToolTip(head->text());
    fixedTable_->setVerticalHeaderItem(static_cast<int>(i), head);
    for (int c = 0; c < cols; ++c) {
      const bool tabulated = std::any_of(s.costFractions.begin(), s.costFractions.end(),
                                         [&](double f) { return std::abs(f - fractions[static_cast<size_t>(c)]) < 1e-12; });
      const auto v = tabulated ? model_->scoreAtCost(i, fractions[static_cast<size_t>(c)]) : std::nullopt;
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
  const auto dragged = static_cast<size_t>(dragging_);
  showReadout(dragged, model_->readoutAtCost(dragged, cost));
  if (shared_->isChecked())  // the other markers follow the dragged one's threshold
    for (size_t i = 0; i < markers_.size(); ++i)
      if (i != dragged) setThreshold(i, markers_[dragged].threshold);
}

void CurveView::onMouseRelease(QMouseEvent*) { dragging_ = -1; }

QString CurveView::legendToolTip(const QPoint& pos) const {
  for (int i = 0; i < plot_->legend->itemCount(); ++i) {
    auto* item = qobject_cast<QCPPlottableLegendItem*>(plot_->legend->item(i));
    if (item && item->realVisibility() && item->outerRect().contains(pos)) return item->plottable()->name();
  }
  return {};
}

bool CurveView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_ && event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = legendToolTip(help->pos());
    if (!text.isEmpty()) {  // over a legend entry: its whole label, however it was elided
      QToolTip::showText(help->globalPos(), text, plot_);
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

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
