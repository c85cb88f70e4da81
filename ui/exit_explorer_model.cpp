// The exit explorer's table model: see exit_explorer_model.h.
#include "ui/exit_explorer_model.h"

#include "analysis/lte_threshold_rule.h"
#include "analysis/temperature_scaling.h"

#include <QBrush>
#include <QColor>

#include <algorithm>
#include <cmath>

namespace sweet::ui {

namespace {

QString lowered(const std::string& text) { return QString::fromStdString(text).toLower(); }

}  // namespace

std::shared_ptr<ExplorerSnapshot> prepareExplorerSnapshot(const RunPtr& run, analysis::ExitRule rule, bool calibrate) {
  auto s = std::make_shared<ExplorerSnapshot>();
  s->run = run;
  s->rule = rule;
  s->calibrate = calibrate;
  const analysis::RunData& data = run->data;
  const analysis::ExitRuleTraits& traits = analysis::exitRuleTraits(rule);
  try {
    // As CurveModel does: temperatures only where the rule reads the softmax and the
    // curve view scales it.
    std::vector<double> temperatures;
    if (traits.usesTemperatures && calibrate) {
      const analysis::CalibrationResult fit = analysis::calibrate(data);
      temperatures = fit.replayTemperatures();
      s->scoring = std::string("temperature-scaled (") + analysis::calibrationSchemeName(fit.scheme) + ")";
    } else {
      s->scoring = "raw softmax";
    }
    s->replay = std::make_unique<analysis::ExitReplay>(data.eval, temperatures);
    if (!data.lteScores.empty()) {
      s->lte = analysis::lteScoresForRule(data);
      s->replay->setLearnedScores(s->lte);
    }
    s->ruleApplies = !traits.needsLearnedScores || s->replay->hasLearnedScores();
  } catch (const std::exception& e) {
    s->replay.reset();
    s->error = e.what();
  }
  const analysis::EvalInstanceTexts& texts = data.evalTexts;
  if (texts.present) {
    s->searchText.reserve(texts.textA.size());
    for (size_t i = 0; i < texts.textA.size(); ++i)
      s->searchText.push_back(lowered(texts.paired() ? texts.textA[i] + "\n" + texts.textB[i] : texts.textA[i]));
  }
  return s;
}

ExitExplorerModel::ExitExplorerModel(QObject* parent) : QAbstractTableModel(parent) {}

void ExitExplorerModel::setSnapshot(std::shared_ptr<ExplorerSnapshot> snapshot) {
  beginResetModel();
  snapshot_ = std::move(snapshot);
  visible_.clear();
  buildColumns();
  if (sortColumn_ >= static_cast<int>(columns_.size())) sortColumn_ = -1;
  assignExits();
  endResetModel();
  refilter();
}

void ExitExplorerModel::buildColumns() {
  columns_.clear();
  if (!snapshot_ || !snapshot_->replay) return;
  const auto& texts = snapshot_->run->data.evalTexts;
  columns_.push_back({ColumnKind::Row});
  columns_.push_back({ColumnKind::TextA});
  if (texts.paired()) columns_.push_back({ColumnKind::TextB});
  columns_.push_back({ColumnKind::Gold});
  for (int e = 0; e < static_cast<int>(snapshot_->replay->exits()); ++e) {
    columns_.push_back({ColumnKind::Prediction, e});
    columns_.push_back({ColumnKind::Confidence, e});
    if (!snapshot_->lte.empty()) columns_.push_back({ColumnKind::Lte, e});
  }
  columns_.push_back({ColumnKind::ExitTaken});
  columns_.push_back({ColumnKind::PredictionTaken});
}

void ExitExplorerModel::assignExits() {
  exitOf_.clear();
  if (!snapshot_ || !snapshot_->replay || !snapshot_->ruleApplies) return;
  const analysis::ExitRuleTraits& rule = analysis::exitRuleTraits(snapshot_->rule);
  const analysis::ThresholdRange range = rule.range(snapshot_->replay->exits());
  double t = std::clamp(threshold_, range.low, range.high);
  if (rule.integerParameter()) t = std::round(t);
  exitOf_ = snapshot_->replay->assign(snapshot_->rule, t).exitOf;
}

void ExitExplorerModel::setThreshold(double threshold) {
  threshold_ = threshold;
  if (!snapshot_ || !snapshot_->replay) return;
  assignExits();
  if (thresholdMatters()) return refilter();
  // The same rows in the same order: only the exit columns change.
  if (rowCount() > 0)
    Q_EMIT dataChanged(index(0, column(ColumnKind::Prediction, 0)), index(rowCount() - 1, columnCount() - 1));
}

// Whether the rows shown (or their order) depend on the threshold.
bool ExitExplorerModel::thresholdMatters() const {
  const bool sortedByExit = sortColumn_ >= 0 && (columns_[static_cast<size_t>(sortColumn_)].kind == ColumnKind::ExitTaken ||
                                                  columns_[static_cast<size_t>(sortColumn_)].kind == ColumnKind::PredictionTaken);
  return sortedByExit || filter_ == Filter::LeavesAt || filter_ == Filter::ConfidentlyWrong;
}

void ExitExplorerModel::setFilter(Filter filter, int exit, double confidenceBar) {
  filter_ = filter;
  filterExit_ = exit;
  confidenceBar_ = confidenceBar;
  refilter();
}

void ExitExplorerModel::setSearch(const QString& text) {
  search_ = text.trimmed().toLower();
  refilter();
}

int ExitExplorerModel::instances() const {
  return snapshot_ && snapshot_->replay ? static_cast<int>(snapshot_->replay->instances()) : 0;
}

int ExitExplorerModel::exitTaken(int instance) const {
  return exitOf_.empty() ? -1 : exitOf_.at(static_cast<size_t>(instance));
}

int ExitExplorerModel::column(ColumnKind kind, int exit) const {
  for (size_t c = 0; c < columns_.size(); ++c)
    if (columns_[c].kind == kind && columns_[c].exit == exit) return static_cast<int>(c);
  return -1;
}

bool ExitExplorerModel::passes(int i) const {
  const analysis::ExitReplay& r = *snapshot_->replay;
  const int64_t gold = r.labels()[static_cast<size_t>(i)];
  if (!search_.isEmpty() && (snapshot_->searchText.empty() || !snapshot_->searchText[static_cast<size_t>(i)].contains(search_)))
    return false;
  switch (filter_) {
    case Filter::All: return true;
    case Filter::LeavesAt: return exitTaken(i) == filterExit_;
    case Filter::WrongThenRight: {
      if (filterExit_ >= r.exits() || r.prediction(filterExit_, i) == gold) return false;
      for (int64_t later = filterExit_ + 1; later < r.exits(); ++later)
        if (r.prediction(later, i) == gold) return true;
      return false;
    }
    case Filter::ConfidentlyWrong: {
      const int e = exitTaken(i);
      return e >= 0 && r.prediction(e, i) != gold && r.confidence(e, i) >= confidenceBar_;
    }
  }
  return true;
}

// Rows removed and inserted rather than a model reset: a reset would also reset the
// header, losing the column widths and the sort indicator the user set.
void ExitExplorerModel::refilter() {
  std::vector<int> rows;
  for (int i = 0; i < instances(); ++i)
    if (passes(i)) rows.push_back(i);
  if (!visible_.empty()) {
    beginRemoveRows({}, 0, static_cast<int>(visible_.size()) - 1);
    visible_.clear();
    endRemoveRows();
  }
  if (rows.empty()) return;
  beginInsertRows({}, 0, static_cast<int>(rows.size()) - 1);
  visible_ = std::move(rows);
  sortVisible();
  endInsertRows();
}

void ExitExplorerModel::sort(int column, Qt::SortOrder order) {
  sortColumn_ = column;
  sortOrder_ = order;
  Q_EMIT layoutAboutToBeChanged();
  sortVisible();
  Q_EMIT layoutChanged();
}

void ExitExplorerModel::sortVisible() {
  if (sortColumn_ < 0 || sortColumn_ >= static_cast<int>(columns_.size())) return;
  const Column& c = columns_[static_cast<size_t>(sortColumn_)];
  const bool text = c.kind == ColumnKind::TextA || c.kind == ColumnKind::TextB;
  // Keys once per row, then a stable sort: ties keep the eval order.
  std::vector<std::pair<double, QString>> keys(static_cast<size_t>(instances()));
  for (int i : visible_) {
    const QVariant v = sortValue(c, i);
    keys[static_cast<size_t>(i)] = text ? std::make_pair(0.0, v.toString()) : std::make_pair(v.toDouble(), QString());
  }
  const bool descending = sortOrder_ == Qt::DescendingOrder;
  std::stable_sort(visible_.begin(), visible_.end(), [&](int a, int b) {
    const auto& ka = keys[static_cast<size_t>(a)];
    const auto& kb = keys[static_cast<size_t>(b)];
    const int cmp = text ? ka.second.compare(kb.second, Qt::CaseInsensitive) : (ka.first < kb.first ? -1 : ka.first > kb.first ? 1 : 0);
    return descending ? cmp > 0 : cmp < 0;
  });
}

int ExitExplorerModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(visible_.size());
}

int ExitExplorerModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(columns_.size());
}

QVariant ExitExplorerModel::sortValue(const Column& c, int i) const {
  const analysis::RunData& data = snapshot_->run->data;
  const analysis::ExitReplay& r = *snapshot_->replay;
  const auto n = static_cast<size_t>(i);
  switch (c.kind) {
    case ColumnKind::Row: return static_cast<qlonglong>(data.evalTexts.present ? data.evalTexts.indices[n] : i);
    case ColumnKind::TextA: return data.evalTexts.present ? QString::fromStdString(data.evalTexts.textA[n]) : QString();
    case ColumnKind::TextB: return QString::fromStdString(data.evalTexts.textB[n]);
    case ColumnKind::Gold: return static_cast<qlonglong>(r.labels()[n]);
    case ColumnKind::Prediction: return r.prediction(c.exit, i);
    case ColumnKind::Confidence: return r.confidence(c.exit, i);
    case ColumnKind::Lte: return static_cast<double>(snapshot_->lte[static_cast<size_t>(c.exit) * r.instances() + n]);
    case ColumnKind::ExitTaken: return exitTaken(i);
    case ColumnKind::PredictionTaken: return exitTaken(i) < 0 ? -1 : r.prediction(exitTaken(i), i);
  }
  return {};
}

QVariant ExitExplorerModel::display(const Column& c, int i) const {
  const analysis::RunData& data = snapshot_->run->data;
  auto labelName = [&](int64_t label) {
    return label >= 0 && label < static_cast<int64_t>(data.labelNames.size())
               ? QString::fromStdString(data.labelNames[static_cast<size_t>(label)])
               : QString::number(label);
  };
  switch (c.kind) {
    case ColumnKind::TextA:
      return data.evalTexts.present ? sortValue(c, i) : QVariant(QStringLiteral("—"));
    case ColumnKind::Gold:
    case ColumnKind::Prediction: return labelName(sortValue(c, i).toLongLong());
    case ColumnKind::Confidence:
    case ColumnKind::Lte: return QString::number(sortValue(c, i).toDouble(), 'f', 4);
    case ColumnKind::ExitTaken:
      return exitTaken(i) < 0 ? QStringLiteral("—")
                              : QStringLiteral("L%1").arg(data.exitLayers[static_cast<size_t>(exitTaken(i))]);
    case ColumnKind::PredictionTaken: return exitTaken(i) < 0 ? QStringLiteral("—") : labelName(sortValue(c, i).toLongLong());
    default: return sortValue(c, i);
  }
}

QVariant ExitExplorerModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const Column& c = columns_[static_cast<size_t>(index.column())];
  const int i = visible_[static_cast<size_t>(index.row())];
  const analysis::ExitReplay& r = *snapshot_->replay;
  const int64_t gold = r.labels()[static_cast<size_t>(i)];
  switch (role) {
    case Qt::DisplayRole: return display(c, i);
    case kSortRole: return sortValue(c, i);
    case Qt::ToolTipRole: {
      const auto& texts = snapshot_->run->data.evalTexts;
      if (c.kind == ColumnKind::Row && texts.present)
        return tr("Row %1 of the eval file (line %2)").arg(texts.indices[static_cast<size_t>(i)]).arg(texts.lines[static_cast<size_t>(i)]);
      if (c.kind == ColumnKind::TextA || c.kind == ColumnKind::TextB) return display(c, i);
      return {};
    }
    case Qt::ForegroundRole: {
      const bool wrong = (c.kind == ColumnKind::Prediction && r.prediction(c.exit, i) != gold) ||
                         (c.kind == ColumnKind::PredictionTaken && exitTaken(i) >= 0 && r.prediction(exitTaken(i), i) != gold);
      return wrong ? QVariant(QBrush(QColor(190, 30, 30))) : QVariant();
    }
    case Qt::BackgroundRole:
      // The exit an instance leaves at, highlighted across its prediction and scores.
      return c.exit >= 0 && c.exit == exitTaken(i) ? QVariant(QBrush(QColor(255, 236, 160))) : QVariant();
    case Qt::TextAlignmentRole:
      return c.kind == ColumnKind::TextA || c.kind == ColumnKind::TextB ? QVariant()
                                                                         : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default: return {};
  }
}

QVariant ExitExplorerModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
  const Column& c = columns_[static_cast<size_t>(section)];
  const QString layer = c.exit >= 0 ? QStringLiteral("L%1").arg(snapshot_->run->data.exitLayers[static_cast<size_t>(c.exit)])
                                    : QString();
  if (role == Qt::DisplayRole) {
    switch (c.kind) {
      case ColumnKind::Row: return tr("Row");
      case ColumnKind::TextA: return snapshot_->run->data.evalTexts.paired() ? tr("Text A") : tr("Text");
      case ColumnKind::TextB: return tr("Text B");
      case ColumnKind::Gold: return tr("Gold");
      case ColumnKind::Prediction: return tr("%1 pred").arg(layer);
      case ColumnKind::Confidence: return tr("%1 conf").arg(layer);
      case ColumnKind::Lte: return tr("%1 LTE").arg(layer);
      case ColumnKind::ExitTaken: return tr("Exit taken");
      case ColumnKind::PredictionTaken: return tr("Prediction");
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (c.kind) {
      case ColumnKind::Row: return tr("The instance's row in the eval file (0-based among its examples)");
      case ColumnKind::Confidence:
        return tr("Max softmax probability of the exit after %1, %2").arg(layer, QString::fromStdString(snapshot_->scoring));
      case ColumnKind::Lte:
        return tr("The exit's learning-to-exit score as the LTE rule compares it with its threshold (the run's "
                  "lte.threshold_rule)");
      case ColumnKind::ExitTaken: return tr("The exit the instance leaves at, under the current rule and threshold");
      case ColumnKind::PredictionTaken: return tr("The prediction of the exit taken (red: wrong)");
      default: return {};
    }
  }
  return {};
}

}  // namespace sweet::ui
