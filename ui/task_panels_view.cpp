// Per-task figure: see task_panels_view.h. Panels are laid out in a grid of their own above
// one legend, all sharing margins so the axes line up across rows.
#include "ui/task_panels_view.h"

#include "ui/panel_grid.h"
#include "ui/plot_style.h"
#include "ui/qcustomplot_include.h"

#include <QLabel>
#include <QTextStream>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace sweet::ui {
namespace {

QString taskDisplayName(const std::string& task) {
  static const std::map<std::string, QString> names = {{"sst2", "SST-2"}, {"mrpc", "MRPC"}, {"cola", "CoLA"},
                                                       {"rte", "RTE"},    {"qnli", "QNLI"}, {"qqp", "QQP"},
                                                       {"mnli", "MNLI"},  {"demo", "demo"}};
  const auto it = names.find(task);
  return it == names.end() ? QString::fromStdString(task) : it->second;
}

}  // namespace

TaskPanelsView::TaskPanelsView(QWidget* parent)
    : QWidget(parent),
      model_(std::make_shared<TaskPanelsModel>()),
      builds_(
          this,
          &TaskPanelsView::build,
          [this](std::shared_ptr<TaskPanelsModel> model) { draw(std::move(model)); },
          [this](const QString& message) { Q_EMIT computationFailed(message); }) {
  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("taskPanelsPlot"));
  notes_ = new QLabel(this);
  notes_->setWordWrap(true);
  notes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(plot_, 1);
  layout->addWidget(notes_);
  draw(model_);
}

void TaskPanelsView::setRuns(const std::vector<RunPtr>& runs) {
  runs_ = runs;
  compute();
}

void TaskPanelsView::setCalibrated(bool calibrated) {
  if (calibrated == calibrated_) return;
  calibrated_ = calibrated;
  compute();
}

void TaskPanelsView::setPanelColumns(int columns) {
  columns_ = std::max(1, columns);
  draw(model_);
}

bool TaskPanelsView::waitForPanels(int timeoutMs) {
  return waitUntilIdle([this] { return builds_.busy(); }, timeoutMs);
}

void TaskPanelsView::compute() {
  Request request{runs_, {}};
  request.options.calibrate = calibrated_;
  if (async_) return builds_.request(std::move(request));
  builds_.cancel();  // an older asynchronous request must not overwrite this one
  draw(build(request, {}));
}

std::shared_ptr<TaskPanelsModel> TaskPanelsView::build(const Request& request, const std::function<bool()>& stop) {
  auto model = std::make_shared<TaskPanelsModel>();
  model->build(request.runs, request.options, stop);
  return model;
}

int TaskPanelsView::panelCount() const { return static_cast<int>(titles_.size()); }

QString TaskPanelsView::panelTitle(int panel) const { return titles_.at(static_cast<size_t>(panel)); }

void TaskPanelsView::draw(std::shared_ptr<const TaskPanelsModel> model) {
  model_ = std::move(model);
  titles_.clear();
  plot_->clearPlottables();
  plot_->plotLayout()->clear();  // deletes the default axis rect and its legend too

  const bool average = !model_->average().empty();
  const int panels = static_cast<int>(model_->panels().size()) + (average ? 1 : 0);
  QStringList notes;
  for (const std::string& n : model_->notes()) notes << QString::fromStdString(n);
  if (panels == 0) notes.prepend(tr("Open evaluated runs to see one panel per task."));
  notes_->setText(notes.join(QLatin1Char('\n')));
  if (panels == 0) {
    plot_->replot();
    return;
  }

  PanelGrid grid(plot_, 0, std::min(columns_, panels));
  QCPLegend* legend = grid.legend();
  std::map<std::string, bool> inLegend;

  auto addPanel = [&](int index, const QString& title, const QString& yLabel) {
    QCPAxisRect* rect = grid.addPanel(index, title, QFont(font().family(), 9, QFont::Bold));
    rect->axis(QCPAxis::atBottom)->setLabel(tr("cost fraction"));
    rect->axis(QCPAxis::atLeft)->setLabel(yLabel);
    titles_.push_back(title);
    return rect;
  };
  auto addLine = [&](QCPAxisRect* rect, const std::string& label, const std::string& method, int variant,
                     const std::vector<double>& x, const std::vector<double>& y) {
    QCPGraph* g = plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    g->setName(QString::fromStdString(label));
    g->setData(QVector<double>(x.begin(), x.end()), QVector<double>(y.begin(), y.end()), true);
    g->setPen(seriesPen(method, variant, variant, 1.5));
    g->removeFromLegend();
    if (!inLegend[label]) {  // one legend entry per series, however many panels show it
      legend->addItem(new QCPPlottableLegendItem(legend, g));
      inLegend[label] = true;
    }
    return g;
  };
  auto fitAxes = [](QCPAxisRect* rect) {
    double lo = 1e300, hi = -1e300, xMax = 1.0;
    for (QCPGraph* g : rect->graphs()) {
      bool ok = false;
      const QCPRange value = g->getValueRange(ok);
      if (ok) lo = std::min(lo, value.lower), hi = std::max(hi, value.upper);
      const QCPRange key = g->getKeyRange(ok);
      if (ok) xMax = std::max(xMax, key.upper);
    }
    if (lo > hi) lo = 0, hi = 1;
    const double pad = std::max(0.02, 0.08 * (hi - lo));
    rect->axis(QCPAxis::atLeft)->setRange(lo - pad, hi + pad);
    rect->axis(QCPAxis::atBottom)->setRange(0, xMax * 1.02);
  };

  int index = 0;
  for (const TaskPanel& panel : model_->panels()) {
    const auto& series = panel.curves->series();
    const std::string metric = analysis::metricName(series.front()->metric);
    QCPAxisRect* rect = addPanel(index++, QStringLiteral("%1 (%2)").arg(taskDisplayName(panel.task), QString::fromStdString(metric)),
                                 QString::fromStdString(metric));
    for (const auto& s : series) {
      QCPGraph* mean = addLine(rect, s->label, s->method, s->variant, s->gridCost, s->gridMean);
      if (s->runs.size() > 1) {  // one seed has no spread: no band rather than a fake one
        QCPGraph* low = plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        low->setName(mean->name() + QStringLiteral(" CI low"));
        low->setData(QVector<double>(s->gridCost.begin(), s->gridCost.end()),
                     QVector<double>(s->gridLow.begin(), s->gridLow.end()), true);
        low->setPen(Qt::NoPen);
        low->removeFromLegend();
        QCPGraph* high = plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        high->setName(mean->name() + QStringLiteral(" CI high"));
        high->setData(QVector<double>(s->gridCost.begin(), s->gridCost.end()),
                      QVector<double>(s->gridHigh.begin(), s->gridHigh.end()), true);
        high->setPen(Qt::NoPen);
        QColor fill = mean->pen().color();
        fill.setAlpha(45);
        high->setBrush(fill);
        high->setChannelFillGraph(low);
        high->removeFromLegend();
      }
    }
    fitAxes(rect);
  }
  if (average) {
    QCPAxisRect* rect = addPanel(index++, tr("Average over %1 tasks").arg(model_->panels().size()), tr("mean score"));
    for (const TaskAverageSeries& s : model_->average()) addLine(rect, s.label, s.method, s.variant, s.cost, s.score);
    fitAxes(rect);
  }
  legend->setWrap(std::max(1, static_cast<int>(inLegend.size())));
  plot_->replot();
}

QString TaskPanelsView::panelsCsv() const {
  QString out;
  QTextStream csv(&out);
  csv << "panel,series,cost,score\n";
  int graphIndex = 0;
  for (QCPAxisRect* rect : plot_->axisRects()) {
    const QString panel = graphIndex < panelCount() ? titles_[static_cast<size_t>(graphIndex)] : QString();
    ++graphIndex;
    for (QCPGraph* g : rect->graphs())
      for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        csv << '"' << panel << "\",\"" << g->name() << "\"," << QString::number(it->key, 'g', 10) << ','
            << QString::number(it->value, 'g', 10) << '\n';
  }
  return out;
}

}  // namespace sweet::ui
