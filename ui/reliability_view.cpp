// Reliability diagrams: see reliability_view.h. Panels sit in a grid of their own above
// one legend, as in the Per task figure, so exports lay out the same way.
#include "ui/reliability_view.h"

#include "ui/panel_grid.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_selector.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextStream>
#include <QVBoxLayout>

#include <cmath>
#include <stdexcept>

namespace sweet::ui {
namespace {

const QColor kBefore(120, 120, 120), kAfter(0, 114, 178);

QString schemeText(analysis::CalibrationScheme scheme) {
  switch (scheme) {
    case analysis::CalibrationScheme::HeldOut: return QObject::tr("temperatures fitted on held-out rows");
    case analysis::CalibrationScheme::CrossFit: return QObject::tr("temperatures cross-fitted on the eval set");
    case analysis::CalibrationScheme::Eval: return QObject::tr("temperatures fitted on the eval set");
  }
  return {};
}

// The non-empty bins as (mean confidence, accuracy) points.
QCPGraph* addBins(QCustomPlot* plot, QCPAxisRect* rect, const analysis::ReliabilityDiagram& d, const QString& name,
                  const QColor& color, Qt::PenStyle style, QCPScatterStyle::ScatterShape shape) {
  QCPGraph* g = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  g->setName(name);
  for (const analysis::ReliabilityBin& b : d.bins)
    if (b.count > 0) g->addData(b.meanConfidence(), b.accuracy());
  g->setPen(QPen(color, 1.5, style));
  g->setScatterStyle(QCPScatterStyle(shape, color, shape == QCPScatterStyle::ssCircle ? Qt::white : color, 6));
  g->removeFromLegend();
  return g;
}

}  // namespace

ReliabilityView::ReliabilityView(QWidget* parent)
    : QWidget(parent),
      builds_(
          this, [](const RunPtr& run, const std::function<bool()>&) { return build(run); },
          [this](std::shared_ptr<Content> content) { showContent(*content); },
          // build() turns the analysis' refusal into content; anything else is a bug to see
          [this](const QString& message) { message_->setText(message); }) {
  runCombo_ = new QComboBox(this);
  runCombo_->setToolTip(tr("Run whose exits are shown (classification runs with an evaluation)"));
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("reliabilityPlot"));
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Run:"), this));
  controls->addWidget(runCombo_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(plot_, 1);
  layout->addWidget(message_);
  connect(runCombo_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { refresh(); });
  rebuild();
}

void ReliabilityView::setRuns(const std::vector<RunPtr>& runs) {
  const QString previous = runCombo_->currentData().toString();
  runs_.clear();
  for (const RunPtr& r : runs)
    if (!r->data.regression && !r->data.eval.empty()) runs_.push_back(r);
  refillRunSelector(runCombo_, runs_, previous);
  refresh();
}

void ReliabilityView::setPanelColumns(int columns) {
  columns_ = std::max(1, columns);
  if (!stale_) rebuild();
}

RunPtr ReliabilityView::currentRun() const {
  const int i = runCombo_->currentIndex();
  return i >= 0 && i < static_cast<int>(runs_.size()) ? runs_[static_cast<size_t>(i)] : nullptr;
}

void ReliabilityView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stale_) refresh();
}

void ReliabilityView::refresh() {
  // A re-read file is a new LoadedRun: identical pointers mean nothing changed.
  if (currentRun() == requested_ && !stale_) return;
  stale_ = true;
  if (parentWidget() && !isVisible()) return;  // a tab not shown: fit when it is
  stale_ = false;
  requested_ = currentRun();
  if (requested_ && async_) return builds_.request(requested_);
  builds_.cancel();  // an older asynchronous request must not overwrite this one
  showContent(*build(requested_));
}

std::shared_ptr<ReliabilityView::Content> ReliabilityView::build(const RunPtr& run) {
  auto content = std::make_shared<Content>();
  content->run = run;
  if (!run) return content;
  try {
    content->reliability = analysis::runReliability(run->data);
  } catch (const std::exception& e) {
    content->error = e.what();
  }
  return content;
}

void ReliabilityView::showContent(const Content& content) {
  drawn_ = content.run;
  reliability_ = content.reliability;
  if (!drawn_) message_->setText(tr("Open a classification run with an evaluation to see its reliability diagrams."));
  else message_->setText(QString::fromStdString(content.error));
  rebuild();
}

bool ReliabilityView::waitForReliability(int timeoutMs) {
  return waitUntilIdle([this] { return builds_.busy(); }, timeoutMs);
}

QString ReliabilityView::figureCaption() const {
  if (!reliability_ || !drawn_) return {};
  const size_t bins = reliability_->exits.empty() ? 0 : reliability_->exits.front().before.bins.size();
  return tr("%1 · %2 · %3 bins").arg(QString::fromStdString(drawn_->data.runName), schemeText(reliability_->scheme)).arg(bins);
}

QString ReliabilityView::panelTitle(int exit) const {
  const analysis::ExitReliability& e = reliability_->exits.at(static_cast<size_t>(exit));
  // At one column "(T = 4.84)" broke after "(T"; each phrase now keeps its spaces.
  auto whole = [](QString phrase) { return phrase.replace(QLatin1Char(' '), QChar(QChar::Nbsp)); };
  return tr("L%1: %2 %3")
      .arg(e.exitLayer)
      .arg(whole(tr("ECE %1 → %2").arg(e.before.ece, 0, 'f', 3).arg(e.after.ece, 0, 'f', 3)),
           whole(tr("(T = %1)").arg(e.temperature, 0, 'f', 2)));
}

void ReliabilityView::rebuild() {
  plot_->clearPlottables();
  plot_->plotLayout()->clear();  // deletes the default axis rect and legend
  if (!reliability_ || reliability_->exits.empty()) {
    plot_->replot();
    return;
  }
  plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, figureCaption(), QFont(font().family(), 9, QFont::Bold)));
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  const int exits = static_cast<int>(reliability_->exits.size());
  PanelGrid panels(plot_, 1, std::min(columns_, exits));
  QCPLegend* legend = panels.legend();
  for (int e = 0; e < exits; ++e) {
    QCPAxisRect* rect = panels.addPanel(e, panelTitle(e), QFont(font().family(), 9));
    rect->axis(QCPAxis::atBottom)->setLabel(tr("confidence"));
    rect->axis(QCPAxis::atLeft)->setLabel(tr("accuracy"));
    rect->axis(QCPAxis::atBottom)->setRange(0, 1);
    rect->axis(QCPAxis::atLeft)->setRange(0, 1.02);
    QCPGraph* diagonal = plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    diagonal->setName(tr("perfect calibration"));
    diagonal->setData({0, 1}, {0, 1});
    diagonal->setPen(QPen(QColor(170, 170, 170), 1, Qt::DotLine));
    diagonal->removeFromLegend();
    const analysis::ExitReliability& r = reliability_->exits[static_cast<size_t>(e)];
    QCPGraph* before = addBins(plot_, rect, r.before, tr("before scaling (T = 1)"), kBefore, Qt::DashLine, QCPScatterStyle::ssCircle);
    QCPGraph* after = addBins(plot_, rect, r.after, tr("after temperature scaling"), kAfter, Qt::SolidLine, QCPScatterStyle::ssSquare);
    if (e == 0)  // one legend entry per kind, whatever the number of panels
      for (QCPGraph* g : {before, after, diagonal}) legend->addItem(new QCPPlottableLegendItem(legend, g));
  }
  legend->setWrap(3);
  plot_->replot();
}

QString ReliabilityView::reliabilityCsv() const {
  QString out;
  QTextStream csv(&out);
  csv << "exit_layer,scaled,bin_lower,bin_upper,count,mean_confidence,accuracy\n";
  if (!reliability_) return out;
  for (const analysis::ExitReliability& e : reliability_->exits)
    for (int scaled = 0; scaled < 2; ++scaled)
      for (const analysis::ReliabilityBin& b : scaled ? e.after.bins : e.before.bins) {
        csv << e.exitLayer << ',' << scaled << ',' << QString::number(b.lower, 'g', 10) << ','
            << QString::number(b.upper, 'g', 10) << ',' << b.count << ',';
        if (b.count > 0) csv << QString::number(b.meanConfidence(), 'g', 10) << ',' << QString::number(b.accuracy(), 'g', 10);
        else csv << ',';
        csv << '\n';
      }
  return out;
}

}  // namespace sweet::ui
