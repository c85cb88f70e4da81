// The runs panel: see runs_panel.h.
#include "ui/runs_panel.h"

#include "ui/counted.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

#include <algorithm>

namespace sweet::ui {
namespace {

constexpr int kKindRole = Qt::UserRole;
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kLabelRole = Qt::UserRole + 2;  // a group's label as last filled (a rename differs)
constexpr int kCheckRole = Qt::UserRole + 3;  // the check state as last filled (a click differs)

Qt::CheckState stateOf(size_t shown, size_t all) {
  return shown == 0 ? Qt::Unchecked : shown == all ? Qt::Checked : Qt::PartiallyChecked;
}

QTreeWidgetItem* newRow(RunsPanel::RowKind kind, const QString& id, const QString& text, Qt::CheckState state) {
  auto* item = new QTreeWidgetItem;
  item->setText(0, text);
  item->setToolTip(0, text);
  item->setData(0, kKindRole, kind);
  item->setData(0, kIdRole, id);
  item->setData(0, kCheckRole, static_cast<int>(state));
  item->setFlags((item->flags() | Qt::ItemIsUserCheckable) & ~Qt::ItemIsAutoTristate);
  item->setCheckState(0, state);
  return item;
}

}  // namespace

RunsPanel::RunsPanel(QWidget* parent) : QWidget(parent) {
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("Filter runs (every word must match: sweet 2e-5)"));
  filter_->setClearButtonEnabled(true);
  filter_->setToolTip(tr("Shows only runs whose name, path, status or a config value contains every word; "
                         "the curves follow"));
  groupBy_ = new QToolButton(this);
  groupBy_->setText(tr("Group by"));
  groupBy_->setPopupMode(QToolButton::InstantPopup);
  groupBy_->setToolTip(tr("Which config keys make a series; runs that agree on them are pooled (as seeds are). "
                          "Task and method always separate series."));
  groupByMenu_ = new QMenu(groupBy_);
  groupBy_->setMenu(groupByMenu_);
  tree_ = new QTreeWidget(this);
  tree_->setUniformRowHeights(true);
  tree_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  tree_->setToolTip(tr("Tick to show a run, a group or a task; double-click a group's name to rename it "
                       "(the name legends and exports use; clear it to go back)"));
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);

  auto* top = new QHBoxLayout;
  top->addWidget(filter_, 1);
  top->addWidget(groupBy_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(top);
  layout->addWidget(tree_, 1);
  layout->addWidget(summary_);

  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    catalog_.setFilter(text.toStdString());
    refresh();
  });
  connect(tree_, &QTreeWidget::itemChanged, this, &RunsPanel::onItemChanged);
  refresh();
}

void RunsPanel::setRuns(const std::vector<RunPtr>& runs) {
  std::vector<const analysis::RunData*> data;
  std::string signature;
  for (const RunPtr& run : runs) {
    data.push_back(&run->data);
    signature += run->data.path + '\x1f' + std::to_string(static_cast<int>(run->data.status.state)) + '\x1f' +
                 std::to_string(run->data.interimEvals) + std::to_string(run->data.evalDone) + '\x1e';
  }
  catalog_.setRuns(data);
  // A live run is re-read every few seconds: refilling then would close a name being edited.
  if (signature == shownSignature_) return;
  shownSignature_ = signature;
  refreshGroupByMenu();
  fillTree();
}

void RunsPanel::refresh() {
  fillTree();
  Q_EMIT changed();
}

void RunsPanel::refreshGroupByMenu() {
  groupByMenu_->clear();
  QAction* pooled = groupByMenu_->addAction(tr("Every key but the seed (seeds pooled)"));
  pooled->setCheckable(true);
  pooled->setChecked(catalog_.groupBy().empty());
  connect(pooled, &QAction::triggered, this, [this] {
    catalog_.setGroupBy({});
    refreshGroupByMenu();
    refresh();
  });
  groupByMenu_->addSeparator();
  for (const std::string& key : catalog_.keyNames()) {
    if (key == "task" || key == "method") continue;
    QAction* action = groupByMenu_->addAction(QString::fromStdString(RunCatalog::columnTitle(key)));
    action->setData(QString::fromStdString(key));
    action->setCheckable(true);
    const auto& by = catalog_.groupBy();
    action->setChecked(std::find(by.begin(), by.end(), key) != by.end());
    connect(action, &QAction::toggled, this, [this, key](bool on) {
      std::vector<std::string> by = catalog_.groupBy();
      by.erase(std::remove(by.begin(), by.end(), key), by.end());
      if (on) by.push_back(key);
      catalog_.setGroupBy(by);
      refreshGroupByMenu();
      refresh();
    });
  }
}

void RunsPanel::setKeyColumns(QTreeWidgetItem* item, const std::vector<size_t>& members) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    std::vector<std::string> values;  // distinct, in order: a group row lists what its runs span
    for (size_t r : members) {
      const std::string v = catalog_.cellText(r, columns_[c]);
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    QString text;
    for (size_t v = 0; v < values.size() && v < 3; ++v)
      text += (v ? QStringLiteral(", ") : QString()) + QString::fromStdString(values[v]);
    if (values.size() > 3) text += QStringLiteral(", …");
    item->setText(static_cast<int>(c) + 2, text);
  }
}

void RunsPanel::fillTree() {
  filling_ = true;
  tree_->clear();
  columns_.clear();
  for (const std::string& key : catalog_.columns())
    if (key != "task") columns_.push_back(key);  // tasks are the tree's top rows
  QStringList headers{tr("Task / group / run"), tr("Status")};
  for (const std::string& key : columns_) headers << QString::fromStdString(RunCatalog::columnTitle(key));
  tree_->setColumnCount(headers.size());
  tree_->setHeaderLabels(headers);
  size_t listed = 0, shown = 0;
  for (const std::string& task : catalog_.tasks(RunCatalog::Scope::Listed)) {
    std::vector<size_t> taskRuns;
    size_t taskShown = 0;
    auto* taskRow = newRow(TaskRow, QString::fromStdString(task), QString::fromStdString(task), Qt::Checked);
    for (const RunGroup& group : catalog_.groups(task, RunCatalog::Scope::Listed)) {
      std::vector<size_t> members;
      size_t groupShown = 0;
      auto* groupRow = newRow(GroupRow, QString::fromStdString(group.key), QString::fromStdString(group.label), Qt::Checked);
      groupRow->setFlags(groupRow->flags() | Qt::ItemIsEditable);
      groupRow->setData(0, kLabelRole, QString::fromStdString(group.label));
      for (const std::string& path : group.paths) {
        const size_t r = *catalog_.find(path);
        const CatalogRun& run = catalog_.runs()[r];
        const bool on = catalog_.isShown(r);
        auto* runRow = newRow(RunRow, QString::fromStdString(path), QString::fromStdString(run.name),
                              on ? Qt::Checked : Qt::Unchecked);
        runRow->setToolTip(0, QString::fromStdString(path));
        runRow->setText(1, QString::fromStdString(run.status));
        setKeyColumns(runRow, {r});
        groupRow->addChild(runRow);
        members.push_back(r);
        groupShown += on;
      }
      setKeyColumns(groupRow, members);
      groupRow->setText(1, counted(static_cast<qint64>(members.size()), tr("run"), tr("runs")));
      const Qt::CheckState state = stateOf(groupShown, members.size());
      groupRow->setCheckState(0, state);
      groupRow->setData(0, kCheckRole, static_cast<int>(state));
      taskRow->addChild(groupRow);
      taskRuns.insert(taskRuns.end(), members.begin(), members.end());
      taskShown += groupShown;
    }
    taskRow->setText(1, counted(static_cast<qint64>(taskRuns.size()), tr("run"), tr("runs")));
    const Qt::CheckState state = stateOf(taskShown, taskRuns.size());
    taskRow->setCheckState(0, state);
    taskRow->setData(0, kCheckRole, static_cast<int>(state));
    tree_->addTopLevelItem(taskRow);
    listed += taskRuns.size();
    shown += taskShown;
  }
  tree_->expandAll();
  for (int c = 0; c < tree_->columnCount(); ++c) tree_->resizeColumnToContents(c);
  summary_->setText(tr("%1 of %2 shown").arg(shown).arg(counted(static_cast<qint64>(catalog_.runs().size()), tr("run"), tr("runs"))) +
                    (listed < catalog_.runs().size() ? tr("; %1 filtered out").arg(catalog_.runs().size() - listed) : QString()));
  filling_ = false;
}

QTreeWidgetItem* RunsPanel::row(RowKind kind, const QString& id) const {
  for (QTreeWidgetItemIterator it(tree_); *it; ++it)
    if ((*it)->data(0, kKindRole).toInt() == kind && (*it)->data(0, kIdRole).toString() == id) return *it;
  return nullptr;
}

void RunsPanel::onItemChanged(QTreeWidgetItem* item, int column) {
  if (filling_ || column != 0) return;
  const auto kind = static_cast<RowKind>(item->data(0, kKindRole).toInt());
  const std::string id = item->data(0, kIdRole).toString().toStdString();
  if (kind == GroupRow && item->text(0) != item->data(0, kLabelRole).toString()) {
    // An empty name, or the label itself, drops the rename.
    const std::string name = item->text(0).trimmed().toStdString();
    catalog_.renameGroup(id, name);
  } else if (item->checkState(0) != item->data(0, kCheckRole).toInt()) {
    const bool hide = item->checkState(0) == Qt::Unchecked;
    std::vector<QTreeWidgetItem*> pending{item};  // the row and every run row under it
    while (!pending.empty()) {
      QTreeWidgetItem* row = pending.back();
      pending.pop_back();
      if (row->data(0, kKindRole).toInt() == RunRow) catalog_.setRunHidden(row->data(0, kIdRole).toString().toStdString(), hide);
      for (int c = 0; c < row->childCount(); ++c) pending.push_back(row->child(c));
    }
  } else {
    return;
  }
  // Refilled after this signal returns: the item that sent it must outlive its handlers.
  Q_EMIT changed();
  QTimer::singleShot(0, this, [this] { fillTree(); });
}

}  // namespace sweet::ui
