// The exit explorer tab: see exit_explorer_view.h.
#include "ui/exit_explorer_view.h"

#include "ui/counted.h"
#include "ui/curve_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace sweet::ui {

namespace {

QString runTitle(const analysis::RunData& run) {
  QString title = QString::fromStdString(run.runName);
  if (!run.evalDone) title += QObject::tr(" (interim, step %1)").arg(run.evalStep);
  return title;
}

}  // namespace

ExitExplorerView::ExitExplorerView(QWidget* parent) : QWidget(parent) {
  run_ = new QComboBox(this);
  run_->setToolTip(tr("The run whose evaluation instances are listed"));
  run_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  threshold_ = new QDoubleSpinBox(this);
  threshold_->setKeyboardTracking(false);
  threshold_->setDecimals(4);
  threshold_->setRange(0, 1);
  threshold_->setSingleStep(0.01);
  threshold_->setToolTip(tr("The exit rule's threshold: follows the run's marker on the speed-accuracy curves, and "
                            "moves it when edited here"));
  rule_ = new QLabel(this);
  filter_ = new QComboBox(this);
  filter_->addItem(tr("All instances"), QVariant::fromValue(ExitExplorerModel::Filter::All));
  filter_->addItem(tr("Leaves at exit"), QVariant::fromValue(ExitExplorerModel::Filter::LeavesAt));
  filter_->addItem(tr("Wrong at exit, right later"), QVariant::fromValue(ExitExplorerModel::Filter::WrongThenRight));
  filter_->addItem(tr("Confidently wrong"), QVariant::fromValue(ExitExplorerModel::Filter::ConfidentlyWrong));
  filter_->setToolTip(tr("Leaves at exit k (at the current threshold); wrong at exit k but right at a later exit; "
                         "confidently wrong: the exit taken predicts wrongly with confidence ≥ the bar"));
  filterExit_ = new QComboBox(this);
  filterExit_->setToolTip(tr("The exit k of the filter"));
  bar_ = new QDoubleSpinBox(this);
  bar_->setRange(0, 1);
  bar_->setDecimals(3);
  bar_->setSingleStep(0.05);
  bar_->setValue(0.9);
  bar_->setPrefix(tr("confidence ≥ "));
  bar_->setToolTip(tr("Confidently wrong: the exit taken's max softmax probability at least this"));
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search text"));
  search_->setClearButtonEnabled(true);
  count_ = new QLabel(this);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  table_ = new QTableView(this);
  table_->setModel(&model_);
  table_->setWordWrap(false);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);  // one line of text
  table_->horizontalHeader()->setDefaultSectionSize(84);
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // eval order until a header is clicked
  table_->setSortingEnabled(true);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Run:"), this));
  top->addWidget(run_);
  top->addWidget(threshold_);
  top->addWidget(rule_, 1);
  auto* filters = new QHBoxLayout;
  filters->addWidget(filter_);
  filters->addWidget(filterExit_);
  filters->addWidget(bar_);
  filters->addWidget(search_, 1);
  filters->addWidget(count_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addLayout(filters);
  layout->addWidget(note_);
  layout->addWidget(table_, 1);

  connect(run_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { request(); });
  connect(filter_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &ExitExplorerView::applyFilter);
  connect(filterExit_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &ExitExplorerView::applyFilter);
  connect(bar_, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, &ExitExplorerView::applyFilter);
  connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
    model_.setSearch(text);
    table_->scrollToTop();
    updateCount();
  });
  connect(threshold_, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this, [this](double t) {
    const int series = seriesOfRun();
    if (series >= 0) curves_->setThreshold(static_cast<size_t>(series), t);  // comes back through onMarker
    else applyThreshold(t);
  });
  applyFilter();
  updateNote();
}

void ExitExplorerView::followCurves(CurveView* curves) {
  curves_ = curves;
  connect(curves, &CurveView::thresholdChanged, this, &ExitExplorerView::onMarker);
  // A rule or temperature change rebuilds the curves (their markers report again), but a
  // run left off the curves under the new rule hears only these.
  connect(curves->ruleSelector(), QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] { request(); });
  connect(curves->calibrateBox(), &QCheckBox::toggled, this, [this] { request(); });
}

void ExitExplorerView::setRuns(const std::vector<RunPtr>& runs) {
  const QString shown = run_->currentData().toString();
  runs_.clear();
  for (const RunPtr& run : runs)
    if (run->data.hasEvaluation() && !run->data.regression) runs_.push_back(run);
  {
    const QSignalBlocker block(run_);
    run_->clear();
    for (const RunPtr& run : runs_) run_->addItem(runTitle(run->data), QString::fromStdString(run->data.path));
    const int keep = run_->findData(shown);
    run_->setCurrentIndex(keep >= 0 ? keep : 0);
  }
  request();
}

RunPtr ExitExplorerView::currentRun() const {
  const int i = run_->currentIndex();
  return i >= 0 && i < static_cast<int>(runs_.size()) ? runs_[static_cast<size_t>(i)] : nullptr;
}

analysis::ExitRule ExitExplorerView::currentRule() const {
  return curves_ ? curves_->ruleSelector()->currentData().value<analysis::ExitRule>() : analysis::ExitRule::Confidence;
}

bool ExitExplorerView::currentCalibrate() const { return curves_ ? curves_->calibrateBox()->isChecked() : true; }

int ExitExplorerView::seriesOfRun() const {
  const ExplorerSnapshot* s = model_.snapshot();
  if (!curves_ || !s) return -1;
  const CurveModel& curves = curves_->model();
  if (curves.options().rule != s->rule) return -1;
  for (size_t i = 0; i < curves.size(); ++i)
    for (const RunPtr& run : curves.series()[i]->runs)
      if (run->data.path == s->run->data.path) return static_cast<int>(i);
  return -1;
}

// Prepares the shown run under the curve view's rule and temperatures, unless that is
// already shown or on its way; the newest request wins.
void ExitExplorerView::request() {
  const RunPtr run = currentRun();
  const analysis::ExitRule rule = currentRule();
  const bool calibrate = currentCalibrate();
  const ExplorerSnapshot* shown = model_.snapshot();
  if (!run) {
    ++generation_;
    model_.setSnapshot(nullptr);
    updateNote();
    updateCount();
    return;
  }
  const Request wanted{run.get(), rule, calibrate};
  if (inFlight_ > 0 && wanted == requested_) return;  // already on its way
  if (inFlight_ == 0 && shown && Request{shown->run.get(), shown->rule, shown->calibrate} == wanted) return;
  requested_ = wanted;
  const int generation = ++generation_;
  ++inFlight_;
  auto* watcher = new QFutureWatcher<std::shared_ptr<ExplorerSnapshot>>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
    --inFlight_;
    onPrepared(watcher->result(), generation);
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run(prepareExplorerSnapshot, run, rule, calibrate));
}

void ExitExplorerView::onPrepared(const std::shared_ptr<ExplorerSnapshot>& snapshot, int generation) {
  if (generation != generation_) return;  // a newer request is on its way
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(snapshot->rule);
  const std::vector<int64_t>& layers = snapshot->run->data.exitLayers;
  {
    const QSignalBlocker block(filterExit_);
    const int keep = filterExit_->currentIndex();
    filterExit_->clear();
    for (int64_t layer : layers) filterExit_->addItem(tr("L%1").arg(layer));
    filterExit_->setCurrentIndex(keep >= 0 && keep < filterExit_->count() ? keep : 0);
  }
  model_.setSnapshot(snapshot);
  const analysis::ThresholdRange range = rule.range(static_cast<int64_t>(layers.size()));
  {
    const QSignalBlocker block(threshold_);
    threshold_->setRange(range.low, range.high);
    threshold_->setDecimals(rule.integerParameter() ? 0 : 4);
    threshold_->setSingleStep(rule.integerParameter() ? 1.0 : 0.01);
    threshold_->setPrefix(QString::fromUtf8(rule.parameterLabel) + QLatin1Char(' '));
  }
  const int series = seriesOfRun();
  applyFilter();
  applyThreshold(series >= 0 ? curves_->threshold(static_cast<size_t>(series)) : rule.defaultThreshold);
  const bool paired = snapshot->run->data.evalTexts.paired();
  for (const auto& [kind, width] : {std::pair{ExitExplorerModel::ColumnKind::Row, 56},
                                    std::pair{ExitExplorerModel::ColumnKind::TextA, paired ? 300 : 420},
                                    std::pair{ExitExplorerModel::ColumnKind::TextB, 300}})
    if (model_.column(kind) >= 0) table_->setColumnWidth(model_.column(kind), width);
  // Label columns as wide as the longest label name ("not_entailment"), so none is elided.
  int labelWidth = table_->horizontalHeader()->defaultSectionSize();
  for (const std::string& name : snapshot->run->data.labelNames)
    labelWidth = std::max(labelWidth, table_->fontMetrics().horizontalAdvance(QString::fromStdString(name)) + 16);
  for (int e = -1; e < static_cast<int>(layers.size()); ++e)
    for (auto kind : {ExitExplorerModel::ColumnKind::Gold, ExitExplorerModel::ColumnKind::Prediction,
                      ExitExplorerModel::ColumnKind::PredictionTaken})
      if (model_.column(kind, e) >= 0) table_->setColumnWidth(model_.column(kind, e), labelWidth);
  updateNote();
  Q_EMIT snapshotShown();
}

void ExitExplorerView::onMarker(int series, double threshold) {
  const ExplorerSnapshot* s = model_.snapshot();
  if (!s) return;
  if (s->rule != currentRule() || s->calibrate != currentCalibrate()) return request();
  if (series == seriesOfRun()) applyThreshold(threshold);
  updateNote();  // the run may have joined or left the curves
}

void ExitExplorerView::applyThreshold(double threshold) {
  {
    const QSignalBlocker block(threshold_);
    threshold_->setValue(threshold);
  }
  model_.setThreshold(threshold);
  updateCount();
}

void ExitExplorerView::applyFilter() {
  const auto filter = filter_->currentData().value<ExitExplorerModel::Filter>();
  filterExit_->setEnabled(filter == ExitExplorerModel::Filter::LeavesAt ||
                          filter == ExitExplorerModel::Filter::WrongThenRight);
  bar_->setEnabled(filter == ExitExplorerModel::Filter::ConfidentlyWrong);
  model_.setFilter(filter, std::max(0, filterExit_->currentIndex()), bar_->value());
  table_->scrollToTop();
  updateCount();
}

void ExitExplorerView::updateCount() {
  const ExplorerSnapshot* s = model_.snapshot();
  if (!s || !s->replay) return count_->clear();
  QStringList perExit;
  if (s->ruleApplies) {
    std::vector<int> counts(s->run->data.exitLayers.size(), 0);
    for (int i = 0; i < model_.instances(); ++i) ++counts[static_cast<size_t>(model_.exitTaken(i))];
    for (size_t e = 0; e < counts.size(); ++e) perExit << tr("L%1: %2").arg(s->run->data.exitLayers[e]).arg(counts[e]);
  }
  count_->setText(tr("%1 of %2 shown").arg(model_.rowCount()).arg(counted(model_.instances(), tr("instance"), tr("instances"))) +
                  (perExit.isEmpty() ? QString() : tr("; leaving at %1").arg(perExit.join(QStringLiteral(", ")))));
}

void ExitExplorerView::updateNote() {
  const ExplorerSnapshot* s = model_.snapshot();
  QStringList notes;
  if (runs_.empty()) notes << tr("Open a run file with an evaluation to list its instances and the exit each one takes.");
  if (s && !s->error.empty())
    notes << tr("%1: its exits cannot be replayed: %2").arg(runTitle(s->run->data), QString::fromStdString(s->error));
  if (s && !s->run->data.evalTexts.present)
    notes << tr("This run file was written before run files kept the evaluation texts (/eval/text): showing rows and "
                "labels only. Instance i is row i of the eval file (the run read it in file order).");
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(s ? s->rule : currentRule());
  if (s && !s->ruleApplies)
    notes << tr("No learning-to-exit scores in this run (trained without lte.enabled): no exit is taken under the LTE "
                "rule.");
  else if (s && s->replay && seriesOfRun() < 0)
    notes << tr("This run is not on the speed-accuracy curves under this rule: the threshold set here applies.");
  note_->setText(notes.join(QLatin1Char(' ')));
  note_->setVisible(!notes.isEmpty());
  rule_->setText(s ? tr("Exit on %1; confidences %2").arg(QString::fromUtf8(rule.displayName), QString::fromStdString(s->scoring))
                   : QString());
}

}  // namespace sweet::ui
